"""A balance only an amendment opened, voided whole when its record was withdrawn, then the
same earlier date reported by the city: the month is overpaid again and must be recoverable.

238.00 a month. Civil affairs' cremation of the 3rd of M(-2) (C0) is confirmed while the
roster pays through M(-2): nothing overpaid. C1 (the 3rd of M(-3), M(-1) feed) opens an
amendment, approved at two levels: M(-2) = 238.00, a balance only the amendment opened;
100.00 recovered. The M(0) feed voids C1 (C0 stands): the death moves back to the 3rd of
M(-2), the balance is voided whole, 100.00 refunded (hub/rules/amendment_undone.py). The
city then reports the death on the 3rd of M(-3), approved at two levels: a second
amendment, resting on a person's report. Approving it should make M(-2) overpaid again
(238.00 to recover, the 100.00 having been refunded). Not yet: the approval is
``overpayment-settled`` (409) — a voided balance takes no more months, as for a termination
voided — so M(-2)'s 238.00, paid after the death the standing report states, is never
recovered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from comparisonkit import ComparisonCase
from procedurekit import evidence_payloads
from reversalkit import DIED, DIED_IN, EARLIER, THIS_MONTH, VOIDED_IN, outcomes, recovery

from certhub.hub.core.keys import STORE
from certhub.mocks.population import Population


async def _approve(office: Any, item: int) -> tuple[int, dict[str, Any]]:
    """Town staff accept amendment ``item``, the county approves: the approval's answer."""
    assert (await office.decide("termination-amendments", item, "town-1", "accept"))[0] == 202
    result: tuple[int, dict[str, Any]] = await office.decide(
        "termination-amendments", item, "county-1", "approve"
    )
    return result


@pytest.mark.xfail(
    strict=True,
    reason="Not yet: a balance an amendment undo voided whole takes no second amendment "
    "(overpayment-settled): M(-2)'s 238.00 never recovered",
)
async def test_a_month_voided_with_a_withdrawn_amendment_is_recovered_when_reported_again(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    person = Population(seed=29).person()
    number = person["id_number"]
    feeds = {
        DIED_IN: f"C0,{number},某人,,,cremation,{DIED.isoformat()},\n",
        VOIDED_IN: f"C1,{number},某人,,,cremation,{EARLIER.isoformat()},\n",
        THIS_MONTH: f"V1,{number},某人,,,void,{THIS_MONTH}-01,C1\n",
    }
    case = ComparisonCase.prepare(tmp_path, [person], feeds)
    await case.compare(DIED_IN)
    office = await case.office(aiohttp_client)
    status, page = await office.get("/v1/verification-tasks", status="open")
    assert status == 200, page
    (task,) = [t["task_id"] for t in page["items"]]
    await office.roster(person, paid_through=DIED_IN)
    status, body = await office.step(task, "county-1", "confirmed", event_date=DIED.isoformat())
    assert status == 202, body
    await office.client.close()
    assert (await case.compare(VOIDED_IN))["reports"] == {"amendment_opened": 1}
    office = await case.office(aiohttp_client)
    (amendment,) = await outcomes(office, "termination_amendment/v1")
    assert (await _approve(office, int(amendment["sequence"])))[0] == 202
    path = f"/v1/overpayments/{task}/recoveries"
    assert (await office.post(path, "det-1", recovery(task, "100.00")))[0] == 202
    await office.client.close()
    assert (await case.compare(THIS_MONTH))["reversals"] == {"no_effect": 1}
    office = await case.office(aiohttp_client)
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (body["amount"], body["refunded"], body["status"]) == ("238.00", "100.00", "voided")
    certificate = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    await office.approved_report(office.death_report(person, EARLIER, certificate))
    _, again = await outcomes(office, "termination_amendment/v1")
    status, body = await _approve(office, int(again["sequence"]))
    assert status == 202, body  # before: 409 overpayment-settled
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    assert body["remaining"] == "238.00", body  # M(-2) to recover again
    store = office.client.app[STORE]
    assert await store.counted_months(number, "recovered") == {DIED_IN}
