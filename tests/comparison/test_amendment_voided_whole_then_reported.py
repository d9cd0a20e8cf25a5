"""A balance only an amendment opened, voided whole when its record was withdrawn, then the
same earlier date reported by the city: the month is overpaid again and must be recoverable.

238.00 a month. Civil affairs' cremation of the 3rd of M(-2) (C0) is confirmed while the
roster pays through M(-2): nothing overpaid. C1 (the 3rd of M(-3), M(-1) feed) opens an
amendment, approved at two levels: M(-2) = 238.00, a balance only the amendment opened;
100.00 recovered. The M(0) feed voids C1 (C0 stands): the death moves back to the 3rd of
M(-2), the balance is voided whole, 100.00 refunded (hub/rules/amendment_undone.py). The
city then reports the death on the 3rd of M(-3), approved at two levels: a second
amendment, resting on a person's report. Approved, M(-2) is overpaid again: the voided
balance is opened again with the new record (``overpayment:<task>:2``, M(-2) = 238.00),
nothing recovered — the 100.00 was refunded and is not counted again (refunded 100.00 still)
— so 238.00 remains, and is recovered in full. Before, the approval was
``overpayment-settled`` (409) — a voided balance took no more months, as for a termination
voided — so M(-2)'s 238.00, paid after the death the standing report states, was never
recovered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase
from procedurekit import Office, evidence_payloads
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


async def _voided_whole(
    tmp_path: Path, aiohttp_client: Any
) -> tuple[Office, dict[str, Any], str, str]:
    """C0 confirmed (paid through M(-2)), C1's amendment approved (M(-2) = 238.00), 100.00
    recovered, C1 voided (the balance voided whole, 100.00 refunded): an office after the
    void, the person, the task and the recoveries' path."""
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
    return office, person, task, path


async def test_a_month_voided_with_a_withdrawn_amendment_is_recovered_when_reported_again(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, task, path = await _voided_whole(tmp_path, aiohttp_client)
    number = person["id_number"]
    certificate = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    await office.approved_report(office.death_report(person, EARLIER, certificate))
    _, again = await outcomes(office, "termination_amendment/v1")
    status, body = await _approve(office, int(again["sequence"]))
    assert status == 202, body  # before: 409 overpayment-settled
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    assert body["remaining"] == "238.00", body  # M(-2) to recover again
    figures = (body["months"], body["amount"], body["recovered"], body["refunded"])
    assert figures == (1, "238.00", "0.00", "100.00"), body  # the refund not counted again
    assert (body["period"], body["status"]) == (THIS_MONTH, "pending"), body
    assert [r["amount"] for r in body["recoveries"]] == ["100.00"]  # the first, refunded
    store = office.client.app[STORE]
    assert await store.counted_months(number, "recovered") == {DIED_IN}
    *_, in_force = await outcomes(office, "termination/v1")
    assert in_force["payload"]["event_date"] == EARLIER.isoformat()
    reopened = [o for o in await outcomes(office, "overpayment/v1")
                if o["message_id"] == f"overpayment:{task}:2"]  # fmt: skip
    assert [(o["payload"]["period_from"], o["payload"]["amount"]) for o in reopened] == [
        (f"{DIED_IN}-01", "238.00")
    ]
    assert (await office.post(path, "det-1", recovery(task, "238.00")))[0] == 202
    status, body = await office.get(f"/v1/overpayments/{task}")
    figures = (body["recovered"], body["remaining"], body["refunded"], body["status"])
    assert figures == ("238.00", "0.00", "100.00", "recovered"), body


async def test_months_paid_after_a_death_moved_back_reopen_its_voided_balance(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """The death back at the 3rd of M(-2), its balance voided whole: the province, late to
    stop payment, sends an entry paid through M(0). M(-1)..M(0) = 476.00 were paid after the
    death in force: the balance is opened again with them, nothing recovered (the 100.00
    refunded stays so). Before, a voided balance took none ("left to staff") and the 476.00
    was never recovered."""
    office, person, task, _ = await _voided_whole(tmp_path, aiohttp_client)
    await office.roster(person, paid_through=THIS_MONTH)
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    figures = (body["months"], body["amount"], body["recovered"], body["refunded"])
    assert figures == (2, "476.00", "0.00", "100.00"), body
    assert (body["remaining"], body["status"]) == ("476.00", "pending"), body
    store = office.client.app[STORE]
    assert await store.counted_months(person["id_number"], "recovered") == {VOIDED_IN, THIS_MONTH}
    # the same entry again adds nothing
    await office.roster(person, paid_through=THIS_MONTH)
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (body["months"], body["amount"], body["status"]) == (2, "476.00", "pending"), body
