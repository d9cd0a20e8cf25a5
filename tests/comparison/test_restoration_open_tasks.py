"""Issue 17: no payment is restored while another death report of the person is open.

Civil affairs records a false cremation in ``DIED_IN`` (on ``DIED``), the county confirms
the death (the hub terminates the benefit; the province applies it: the roster says
``terminated``, paid through ``DIED_IN``), civil affairs voids the record in ``VOIDED_IN``
and the hub proposes restoring the benefit. Meanwhile the city reports the person's death
again: its verification task is open (the person may really be dead), or the report is only
filed, neither accepted nor approved, so no task is open yet. Accepting the proposal and
staff's ``restoration/v1`` of ``VOIDED_IN`` (238.00) are each
``restoration-verification-open`` (409), storing nothing, the closure staying. The decision
waits: once the county clears the task (or the town rejects the report), the same proposal
is accepted and approved and back-pays ``VOIDED_IN`` once, 238.00; the death confirmed
instead is the true one: it takes the closure and the proposal stays refused (``conflict``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from procedurekit import Office
from reversalkit import (
    DIED,
    PROBLEM,
    VOIDED_IN,
    approved,
    back_pay,
    held_open,
    last_day,
    proposed,
    proposed_applied,
)

from certhub.hub.core.keys import STORE


async def _task_opened(office: Office, person: dict[str, Any]) -> tuple[str, str]:
    """The city's second death report, its verification task open: the task and the words
    the refusal names it with."""
    again = (await office.reported_death(person, DIED))["task_id"]
    return again, f"death {again}"


async def _task_cleared(office: Office, again: str) -> None:
    for party, step in (("town-1", "in_progress"), ("county-1", "cleared")):
        status, body = await office.step(again, party, step)
        assert status == 202, body


async def _report_filed(office: Office, person: dict[str, Any]) -> tuple[int, str]:
    """The city's second death report, filed, neither accepted nor approved (no task yet):
    the report's item and the words the refusal names it with."""
    report = office.people.eligibility_report() | {
        "reason": "death", "person": person, "event_date": DIED.isoformat(),
        "region": person["region"],
    }  # fmt: skip
    status, receipt = await office.post("/v1/reports", "city", report)
    assert status == 202, receipt
    again = int(receipt["sequence"])
    return again, f"death report {again} received"


async def _report_rejected(office: Office, again: int) -> None:
    assert (await office.decide("reports", again, "town-1", "reject"))[0] == 202


@pytest.mark.parametrize(
    ("filed", "settled"),
    [(_task_opened, _task_cleared), (_report_filed, _report_rejected)],
    ids=["task-open", "report-under-review"],
)
async def test_the_restoration_waits_for_a_second_death_report_to_be_settled(
    tmp_path: Path, aiohttp_client: Any, filed: Any, settled: Any
) -> None:
    office, person, task, item = await proposed_applied(tmp_path, aiohttp_client)
    store, number = office.client.app[STORE], person["id_number"]
    again, named = await filed(office, person)
    assert again != task
    await held_open(office, person, item, task, named)

    await settled(office, again)
    status, body = await approved(office, item)
    assert status == 202, body
    assert await store.closed_benefit(number) is None
    assert await back_pay(office) == (f"{VOIDED_IN}-01", last_day(VOIDED_IN), "238.00")
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}
    await office.client.close()


async def test_a_second_death_confirmed_takes_the_closure(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, task, hubs = await proposed(tmp_path, aiohttp_client)
    item = hubs["sequence"]
    again = (await office.reported_death(person, DIED))["task_id"]
    status, body = await office.step(again, "county-1", "confirmed", event_date=DIED.isoformat())
    assert status == 202, body
    # the true death: the closure is the second task's (test_true_death_after_void)
    assert await office.client.app[STORE].closed_benefit(person["id_number"]) == ("death", again)
    before = await office.ledger_size()  # the family's SMS may be audited meanwhile
    status, body = await office.decide("restoration-proposals", item, "town-1", "accept")
    assert (status, body["type"]) == (409, PROBLEM + "conflict"), body
    assert task in body["detail"], body
    assert await office.ledger_size() == before
    await office.client.close()
