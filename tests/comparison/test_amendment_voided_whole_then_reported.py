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

from amendmentkit import amended_by_death_report, amendment_opened, approved_and_recovered
from procedurekit import Office
from reversalkit import DIED_IN, EARLIER, THIS_MONTH, VOIDED_IN, outcomes, recovery

from certhub.hub.core.keys import STORE


async def _voided_whole(tmp_path: Path, aiohttp_client: Any) -> tuple[Office, dict[str, Any], str]:
    """C0 confirmed (paid through M(-2)), C1's amendment approved (M(-2) = 238.00), 100.00
    recovered, C1 voided (the balance voided whole, 100.00 refunded): an office after the
    void, the person and the task."""
    case, task = await amendment_opened(tmp_path, aiohttp_client, seed=29, paid_through=DIED_IN)
    await approved_and_recovered(case, aiohttp_client, task, "100.00")
    assert (await case.compare(THIS_MONTH))["reversals"] == {"no_effect": 1}
    office = await case.office(aiohttp_client)
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    assert (body["amount"], body["refunded"], body["status"]) == ("238.00", "100.00", "voided")
    return office, case.person, task


async def test_a_month_voided_with_a_withdrawn_amendment_is_recovered_when_reported_again(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, task = await _voided_whole(tmp_path, aiohttp_client)
    number = person["id_number"]
    # the second amendment approved; before: 409 overpayment-settled
    await amended_by_death_report(office, person, EARLIER)
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
    path = f"/v1/overpayments/{task}/recoveries"
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
    office, person, task = await _voided_whole(tmp_path, aiohttp_client)
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
