"""A true death takes a voided termination's closure in one append, on both backends.

The store frees the voided overpayment's recovered months and lifts its closure before it
claims months and closes the benefit, so one transaction can move both from T1 to T2
(:mod:`certhub.hub.procedure.true_death`); refused, it writes nothing.
"""

from __future__ import annotations

from ledger_backends import Ledger
from ledgerkit import overpayment_outcome, receipt, refused

from certhub.hub.store.effects import BenefitClosure, Effects, MonthsClaim
from certhub.hub.store.overpayment_effects import OverpaymentChange, OverpaymentWrite

PERSON = "440103199001011234"


def taken_over(expected_cents: int) -> Effects:
    """T2 confirmed (died in 2026-11: 2026-12 overpaid) over T1's voided termination."""
    return Effects(
        overpayments=(OverpaymentWrite("t2", PERSON, "440103", "2026-12", 1, "238.00"),),
        months=(MonthsClaim(PERSON, "recovered", ("2026-12",), "t2"),),
        closure=BenefitClosure(PERSON, "death", "t2"),
        closure_lifted=BenefitClosure(PERSON, "death", "t1"),
        overpayment_change=OverpaymentChange(
            "t1", "voided", expected_cents, expected_cents, "voided"
        ),
    )


async def test_one_append_moves_the_closure_and_the_months_from_t1_to_t2(ledger: Ledger) -> None:
    t1 = OverpaymentWrite("t1", PERSON, "440103", "2026-12", 2, "476.00")
    claim = MonthsClaim(PERSON, "recovered", ("2026-11", "2026-12"), "t1")
    closure = BenefitClosure(PERSON, "death", "t1")
    await ledger.append(
        overpayment_outcome(1),
        receipt,
        Effects(overpayments=(t1,), months=(claim,), closure=closure),
    )
    # planned on another balance (100 cents recovered): refused, nothing moved
    await refused(ledger, overpayment_outcome(2), taken_over(100), "conflict")
    assert await ledger.closed_benefit(PERSON) == ("death", "t1")
    assert await ledger.counted_months(PERSON, "recovered") == {"2026-11", "2026-12"}

    await ledger.append(overpayment_outcome(3), receipt, taken_over(0))
    assert await ledger.closed_benefit(PERSON) == ("death", "t2")
    assert await ledger.counted_months(PERSON, "recovered") == {"2026-12"}
    # 2026-12 is T2's now: recovered again by anyone, it is refused
    again = Effects(months=(MonthsClaim(PERSON, "recovered", ("2026-12",), "t3"),))
    await refused(ledger, overpayment_outcome(4), again, "months-already-counted")
