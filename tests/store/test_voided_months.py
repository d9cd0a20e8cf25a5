"""A voided overpayment frees the months it recovered, on both backends (issue 17 review).

The termination behind it was withdrawn and what was recovered refunded: its
months are no longer recovered, so a later (true) death's overpayment may
recover them. Only that task's recovered months are freed — not another task's,
not the months back-paid — and only when the void itself is written.
"""

from __future__ import annotations

from ledger_backends import Ledger
from ledgerkit import overpayment_outcome, overpayment_row, receipt, refused

from certhub.hub.store.effects import Effects, MonthsClaim
from certhub.hub.store.overpayment_effects import OverpaymentChange, OverpaymentWrite

PERSON = "440103199001011234"


def voided(expected_cents: int) -> Effects:
    return Effects(
        overpayment_change=OverpaymentChange(
            "t1", "voided", expected_cents, expected_cents, "voided"
        )
    )


async def test_voiding_an_overpayment_frees_only_its_own_recovered_months(ledger: Ledger) -> None:
    t1 = OverpaymentWrite("t1", PERSON, "440103", "2026-11", 2, "476.00")
    claims = (
        MonthsClaim(PERSON, "recovered", ("2026-10", "2026-11"), "t1"),
        MonthsClaim(PERSON, "recovered", ("2025-05",), "t0"),  # an earlier task's
        MonthsClaim(PERSON, "back_paid", ("2026-12",), "77"),
    )
    await ledger.append(overpayment_outcome(1), receipt, Effects(overpayments=(t1,), months=claims))
    both = {"2025-05", "2026-10", "2026-11"}
    assert await ledger.counted_months(PERSON, "recovered") == both
    # planned on another balance (100 cents recovered): refused, nothing freed
    await refused(ledger, overpayment_outcome(2), voided(100), "conflict")
    assert await ledger.counted_months(PERSON, "recovered") == both

    await ledger.append(overpayment_outcome(3), receipt, voided(0))
    assert await ledger.counted_months(PERSON, "recovered") == {"2025-05"}
    assert await ledger.counted_months(PERSON, "back_paid") == {"2026-12"}
    row = await overpayment_row(ledger)
    assert row.status == "voided"
    # a later death's overpayment recovers 2026-10..2026-11 again
    again = MonthsClaim(PERSON, "recovered", ("2026-10", "2026-11"), "t2")
    await ledger.append(overpayment_outcome(4), receipt, Effects(months=(again,)))
    assert await ledger.counted_months(PERSON, "recovered") == both
