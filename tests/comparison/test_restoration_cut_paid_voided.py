"""A month a void cut off a death's overpayment, then every record of the death withdrawn:
the restoration does not back-pay the month the roster paid (both ledgers).

238.00 a month. Civil affairs records a cremation of the 3rd of M-3 (C1); the county
confirms the death while the roster paid through M-2: M-2 = 238.00 overpaid. The province
applies the termination (``terminated``, paid through M-3: its entry rewrites
``paid_through`` back to the death month). A second cremation record of the 8th of M-2 (C2)
is linked. C1 is voided (run of M-1): the death moves to the 8th of M-2, M-2 is cut (the
balance voided whole, nothing owed to the estate: the roster paid it). C2 is voided (run of
M0): the hub proposes the restoration. Approved: back pay M-1 = 238.00, payment resumed
from M0.

Before, the void freed M-2 without saying it was paid, and the restoration, reading the
rewritten ``paid_through`` alone, back-paid M-2..M-1 = 476.00: M-2 paid twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import confirmed_death
from latekit import label
from procedurekit import month_day
from reversalkit import cremated_twice, outcomes


async def test_a_month_cut_and_paid_is_not_back_paid_when_the_death_is_withdrawn(
    tmp_path: Path, aiohttp_client: Any, ledger_url: str | None
) -> None:
    case = cremated_twice(tmp_path, ledger_url, month_day(-3, 3), month_day(-2, 8))
    person = case.person
    assert (await case.compare(label(-3)))["reports"] == {"task_opened": 1}
    office = await case.office(aiohttp_client)
    await office.roster(person, paid_through=label(-2))
    task = await confirmed_death(office, month_day(-3, 3))
    await office.roster(person, status="terminated", paid_through=label(-3))  # applied
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (status, body["amount"]) == (200, "238.00"), body
    await office.client.close()
    assert (await case.compare(label(-2)))["reports"] == {"linked_to_closed": 1}
    # C1 voided: the death moves to C2's 8th of M(-2)
    assert (await case.compare(label(-1)))["reversals"] == {"no_effect": 1}
    assert (await case.compare(label(0)))["reversals"] == {"restoration_proposed": 1}
    office = await case.office(aiohttp_client)
    (proposal,) = await outcomes(office, "restoration_proposal/v1")
    item = proposal["sequence"]
    assert (await office.decide("restoration-proposals", item, "town-1", "accept"))[0] == 202
    status, body = await office.decide("restoration-proposals", item, "county-1", "approve")
    assert status == 202, body
    (restored,) = [o["payload"] for o in await outcomes(office, "restoration/v1")]
    back_pay = (restored["back_pay_from"][:7], restored["back_pay_to"][:7])
    assert (*back_pay, restored["back_pay_amount"]) == (label(-1), label(-1), "238.00")
    assert restored["restore_from"] == month_day(0).isoformat()
    *_, moved = await outcomes(office, "termination/v1")
    assert "estate" not in moved["payload"]["remarks"], moved["payload"]["remarks"]
    await office.client.close()
