"""An amendment's record withdrawn after the province applied the amended termination: the
month the void cuts was paid, and a later amendment to the same date recovers it again.

238.00 a month, as in test_amendment_withdrawn_then_reported: the 3rd of M(-2) confirmed
while the roster paid through M(0) (M(-1)..M(0) = 476.00); C1's amendment to the 3rd of
M(-3) approved (M(-2) = 238.00 more, 714.00); the province applies it (terminated, paid
through M(-3): its entry rewrites ``paid_through`` to the death month); 476.00 recovered.
The M(0) feed voids C1: the death moved back, M(-2) cut (476.00 kept, recovered, nothing
refunded). The city then reports the death on the 3rd of M(-3), approved, and its amendment
approved: M(-2) — paid by the roster at the confirmation — is overpaid again: 714.00, 476.00
recovered, 238.00 to recover; M(-2)..M(0) counted as recovered once each.

Before, the void freed M(-2) without saying it was paid; the second amendment, reading the
rewritten ``paid_through`` (M(-3)) alone, found no month paid between the two dates: 476.00,
recovered, and M(-2)'s 238.00 paid after the death was never recovered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amendmentkit import amended_by_death_report, amendment_opened, approved_and_recovered
from reversalkit import DIED_IN, EARLIER, THIS_MONTH, VOIDED_IN

from certhub.hub.core.keys import STORE


async def test_a_month_cut_by_a_void_stays_paid_for_a_later_amendment(
    tmp_path: Path, aiohttp_client: Any, ledger_url: str | None
) -> None:
    case, task = await amendment_opened(tmp_path, aiohttp_client, seed=31, ledger_url=ledger_url)
    await approved_and_recovered(case, aiohttp_client, task, "476.00")
    office = await case.office(aiohttp_client)
    await office.roster(case.person, status="terminated", paid_through=f"{EARLIER:%Y-%m}")
    await office.client.close()
    assert (await case.compare(THIS_MONTH))["reversals"] == {"no_effect": 1}
    office = await case.office(aiohttp_client)
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    assert (body["amount"], body["recovered"], body["refunded"]) == ("476.00", "476.00", "0.00")
    await amended_by_death_report(office, case.person, EARLIER)
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    figures = (body["months"], body["amount"], body["recovered"], body["refunded"])
    assert figures == (3, "714.00", "476.00", "0.00")
    assert (body["remaining"], body["status"]) == ("238.00", "partially_recovered")
    number = case.person["id_number"]
    recovered = await office.client.app[STORE].counted_months(number, "recovered")
    assert recovered == {DIED_IN, VOIDED_IN, THIS_MONTH}
    await office.client.close()
