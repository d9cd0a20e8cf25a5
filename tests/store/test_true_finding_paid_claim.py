"""A finding over a voided termination keeps the months it does not owe paid, on both backends.

T1 (a false death of 2026-09) counted 2026-10..2026-11 (476.00); an imprisonment T2 of the
20th of 2026-10 takes over in one append: T1's months freed, 2026-11 recovered by T2 and
2026-10 claimed as paid (``back_paid`` under T2,
:func:`certhub.hub.procedure.true_death.still_paid`). A restoration back-paying 2026-10
afterwards is ``months-already-counted``: it was paid once, before T1.
"""

from __future__ import annotations

from ledger_backends import Ledger
from ledgerkit import overpayment_outcome, receipt, refused

from certhub.hub.store.effects import Effects, MonthsClaim
from certhub.hub.store.overpayment_effects import OverpaymentChange, OverpaymentWrite

PERSON = "440103199001011234"


async def test_the_months_t2_does_not_owe_are_claimed_paid_in_the_same_append(
    ledger: Ledger,
) -> None:
    t1 = OverpaymentWrite("t1", PERSON, "440103", "2026-10", 2, "476.00")
    claim = MonthsClaim(PERSON, "recovered", ("2026-10", "2026-11"), "t1")
    await ledger.append(
        overpayment_outcome(1), receipt, Effects(overpayments=(t1,), months=(claim,))
    )
    taken_over = Effects(
        overpayments=(OverpaymentWrite("t2", PERSON, "440103", "2026-11", 1, "238.00"),),
        months=(
            MonthsClaim(PERSON, "recovered", ("2026-11",), "t2"),
            MonthsClaim(PERSON, "back_paid", ("2026-10",), "t2"),
        ),
        overpayment_change=OverpaymentChange("t1", "voided", 0, 0, "voided"),
    )
    await ledger.append(overpayment_outcome(2), receipt, taken_over)
    assert await ledger.counted_months(PERSON, "recovered") == {"2026-11"}
    assert await ledger.counted_months(PERSON, "back_paid") == {"2026-10"}
    again = Effects(months=(MonthsClaim(PERSON, "back_paid", ("2026-10",), None),))
    await refused(ledger, overpayment_outcome(3), again, "months-already-counted")
    assert await ledger.counted_months(PERSON, "back_paid") == {"2026-10"}
