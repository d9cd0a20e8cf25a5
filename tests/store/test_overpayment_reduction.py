"""A release stated after an imprisonment takes months off its overpayment, on both backends:
the row shrinks from the amount it expects, the recovered total drops to the months kept
(the rest refunded), the months cut are freed, a voided balance or a month not the task's
refuses the whole message."""

from __future__ import annotations

from ledger_backends import Ledger
from ledgerkit import bank_recovery, overpayment_row, receipt, refused
from ledgerkit import decision as message

from certhub.hub.store.effects import Effects, MonthsClaim
from certhub.hub.store.overpayment_effects import (
    OverpaymentChange,
    OverpaymentReduction,
    OverpaymentWrite,
)

PERSON = "440103199001011234"
APRIL_ON = tuple(f"2026-{m:02d}" for m in range(4, 12))  # 2026-04..11
CUT = APRIL_ON[2:]  # 2026-06..11


def cut(expected: int, recovered: int, months: tuple[str, ...] = CUT) -> Effects:
    """2026-04..11 (1,904.00) cut to 2026-04..05 (476.00), ``recovered`` expected, 476.00 kept."""
    reduction = OverpaymentReduction(
        "t1", PERSON, months, 2, 47600, expected, recovered, min(recovered, 47600),
        "recovered" if recovered >= 47600 else "partially_recovered",
    )  # fmt: skip
    return Effects(overpayment_reductions=(reduction,))


async def overpaid(ledger: Ledger, recovered: int) -> None:
    """2026-04..11 = 1,904.00 overpaid by task t1, its months claimed; ``recovered`` cents."""
    over = OverpaymentWrite("t1", PERSON, "440103", "2026-12", 8, "1904.00")
    claim = MonthsClaim(PERSON, "recovered", APRIL_ON, "t1")
    await ledger.append(message(1), receipt, Effects(overpayments=(over,), months=(claim,)))
    paid = bank_recovery(recovered, 0, recovered, "partially_recovered", "S1")
    await ledger.append(message(2), receipt, paid)


async def test_the_months_after_the_release_are_taken_off(ledger: Ledger) -> None:
    """714.00 recovered of 1,904.00; cut to 476.00: recovered in full, 238.00 refunded,
    2026-06..11 no longer recovered."""
    await overpaid(ledger, 71400)
    await refused(ledger, message(3), cut(190400, 0), "conflict")  # the recovered total moved
    await refused(ledger, message(4), cut(142800, 71400), "conflict")  # the amount moved
    # a month the task does not claim: refused whole, nothing taken off
    await refused(ledger, message(5), cut(190400, 71400, (*CUT, "2026-12")), "conflict")
    row = await overpayment_row(ledger)
    assert (row.months, row.amount_cents, row.recovered_cents) == (8, 190400, 71400)
    assert await ledger.counted_months(PERSON, "recovered") == frozenset(APRIL_ON)

    await ledger.append(message(6), receipt, cut(190400, 71400))
    row = await overpayment_row(ledger)
    assert (row.months, row.amount_cents, row.recovered_cents, row.status) == (
        2,
        47600,
        47600,
        "recovered",
    )
    assert await ledger.counted_months(PERSON, "recovered") == frozenset(APRIL_ON[:2])
    # the months freed can be recovered again (a later finding), once
    again = MonthsClaim(PERSON, "recovered", CUT, "t2")
    await ledger.append(message(7), receipt, Effects(months=(again,)))
    await refused(ledger, message(8), Effects(months=(again,)), "months-already-counted")


async def test_a_voided_balance_is_not_cut(ledger: Ledger) -> None:
    await overpaid(ledger, 23800)
    void = OverpaymentChange("t1", "voided", 23800, 23800, "voided")
    await ledger.append(message(3), receipt, Effects(overpayment_change=void))
    await refused(ledger, message(4), cut(190400, 23800, ()), "conflict")
    row = await overpayment_row(ledger)
    assert (row.months, row.amount_cents, row.status) == (8, 190400, "voided")
