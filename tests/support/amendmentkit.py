"""Test kit for a death the comparison amends, then sees withdrawn (238.00 a month).

Months from this one (China time): civil affairs' cremation of the 3rd of M(-2) (C0, the
M(-2) feed) opens a task, confirmed with that date; the M(-1) feed's C1 dates the death
the 3rd of M(-3) (``EARLIER``) and opens a ``termination_amendment/v1``; the M(0) feed
voids records. Paid through M(0), the confirmation overpays M(-1)..M(0) = 476.00 and the
amendment, approved, M(-2) = 238.00 more (714.00). Used by
``tests/comparison/test_*amend*.py``; each test keeps its own sums in view.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase
from procedurekit import Office, evidence_payloads
from reversalkit import DIED, DIED_IN, EARLIER, THIS_MONTH, VOIDED_IN, amendment_approved, recovery

from certhub.mocks.population import Population


async def confirmed_from_feeds(
    tmp: Path,
    aiohttp_client: Any,
    person: dict[str, Any],
    later: dict[str, str],
    paid_through: str = THIS_MONTH,
    *,
    ledger_url: str | None = None,
) -> tuple[ComparisonCase, str]:
    """``person``'s cremation of DIED in the M(-2) feed opens a task, confirmed with that
    date while the roster pays through ``paid_through`` (M(0): 476.00 overpaid); ``later``
    are the rows of the later months' feeds (period → rows, no header), on ``ledger_url``'s
    ledger (None: SQLite): the case and the task."""
    number = person["id_number"]
    feeds = {DIED_IN: f"C0,{number},某人,,,cremation,{DIED.isoformat()},\n"} | later
    case = ComparisonCase.prepare(tmp, [person], feeds).on_ledger(ledger_url)
    await case.compare(DIED_IN)
    office = await case.office(aiohttp_client)
    status, page = await office.get("/v1/verification-tasks", status="open")
    assert status == 200, page
    (task,) = [t["task_id"] for t in page["items"]]
    await office.roster(person, paid_through=paid_through)
    status, body = await office.step(task, "county-1", "confirmed", event_date=DIED.isoformat())
    assert status == 202, body
    await office.client.close()
    return case, task


async def amendment_opened(
    tmp: Path,
    aiohttp_client: Any,
    seed: int,
    paid_through: str = THIS_MONTH,
    voided: tuple[str, ...] = ("C1",),
    *,
    ledger_url: str | None = None,
) -> tuple[ComparisonCase, str]:
    """A person (``Population(seed)``) whose death, confirmed from the M(-2) feed (the roster
    paid through ``paid_through``), the M(-1) feed's C1 dates EARLIER (the amendment
    opened), and the M(0) feed — not run yet — voids the records ``voided``, in that order
    (V1, V2, … all of the 1st of M(0), the comparison taking a day's voids by record id), on
    ``ledger_url``'s ledger: the case and the task."""
    person = Population(seed=seed).person()
    number = person["id_number"]
    # not the 2nd, 3rd, … of M(0): on the 1st those are in the future, and the comparison
    # refuses a record dated after its day (future-event-date)
    voids = "".join(
        f"V{n},{number},某人,,,void,{THIS_MONTH}-01,{record}\n"
        for n, record in enumerate(voided, start=1)
    )
    later = {VOIDED_IN: f"C1,{number},某人,,,cremation,{EARLIER.isoformat()},\n", THIS_MONTH: voids}
    case, task = await confirmed_from_feeds(
        tmp, aiohttp_client, person, later, paid_through, ledger_url=ledger_url
    )
    assert (await case.compare(VOIDED_IN))["reports"] == {"amendment_opened": 1}
    return case, task


async def approved_and_recovered(
    case: ComparisonCase, aiohttp_client: Any, task: str, amount: str
) -> None:
    """On an office of its own (closed after, before the M(0) run): the amendment approved
    at two levels, then ``amount`` recovered on ``task``'s balance from the family."""
    office = await case.office(aiohttp_client)
    await amendment_approved(office)
    path = f"/v1/overpayments/{task}/recoveries"
    status, body = await office.post(path, "det-1", recovery(task, amount))
    assert status == 202, body
    await office.client.close()


async def amended_by_death_report(office: Office, person: dict[str, Any], died: date) -> int:
    """The city's report that ``person`` died on ``died``, citing a cremation certificate it
    uploads, approved at two levels, and the amendment it opens approved
    (:func:`~reversalkit.amendment_approved`): the amendment's item."""
    certificate = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    await office.approved_report(office.death_report(person, died, certificate))
    return await amendment_approved(office)
