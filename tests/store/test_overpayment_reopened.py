"""A voided overpayment opened again (a death moved back voided it whole, an approved
amendment dates it earlier again), on both backends: the row takes the new months, amount
and period, the balance starts from nothing recovered (what it recovered was refunded), and
only a voided balance, as the planner read it, is opened again."""

from __future__ import annotations

from ledger_backends import Ledger
from ledgerkit import bank_recovery, overpayment, overpayment_row, receipt, refused
from ledgerkit import decision as message

from certhub.hub.store.effects import Effects, MonthsClaim
from certhub.hub.store.overpayment_effects import OverpaymentChange, OverpaymentExtension

PERSON = "440103199001011234"


def reopened(expected: int, recovered: int) -> Effects:
    """2026-10 (238.00) overpaid again from 2026-12, planned on a row of ``expected`` cents
    with ``recovered`` cents recovered, its month claimed again."""
    again = OverpaymentExtension("t1", 1, 23800, expected, recovered, "pending", reopens="2026-12")
    claim = MonthsClaim(PERSON, "recovered", ("2026-10",), "t1")
    return Effects(overpayment_extension=again, months=(claim,))


async def voided_after_recovering(ledger: Ledger) -> None:
    """2026-10 = 238.00 overpaid by task t1 (its month claimed), 100.00 recovered, then voided
    (the month freed, the 100.00 refunded)."""
    claim = MonthsClaim(PERSON, "recovered", ("2026-10",), "t1")
    opened = overpayment(1, "238.00")
    await ledger.append(message(1), receipt, Effects(overpayments=opened.overpayments,
                                                     months=(claim,)))  # fmt: skip
    await ledger.append(message(2), receipt, bank_recovery(10000, 0, 10000, "partially_recovered",
                                                           "S1"))  # fmt: skip
    void = OverpaymentChange("t1", "voided", 10000, 10000, "voided")
    await ledger.append(message(3), receipt, Effects(overpayment_change=void))
    assert await ledger.counted_months(PERSON, "recovered") == frozenset()


async def test_a_voided_balance_is_opened_again_from_nothing_recovered(ledger: Ledger) -> None:
    await voided_after_recovering(ledger)
    await refused(ledger, message(4), reopened(47600, 10000), "conflict")  # the amount moved
    await refused(ledger, message(5), reopened(23800, 0), "conflict")  # the recovered total
    row = await overpayment_row(ledger)
    assert (row.amount_cents, row.recovered_cents, row.status) == (23800, 10000, "voided")
    assert await ledger.counted_months(PERSON, "recovered") == frozenset()

    await ledger.append(message(6), receipt, reopened(23800, 10000))
    row = await overpayment_row(ledger)
    figures = (row.period, row.months, row.amount_cents, row.recovered_cents, row.status)
    assert figures == ("2026-12", 1, 23800, 0, "pending")  # the 100.00 refunded: not counted
    assert await ledger.counted_months(PERSON, "recovered") == frozenset({"2026-10"})
    # recovered again from nothing, in full
    await ledger.append(message(7), receipt, bank_recovery(23800, 0, 23800, "recovered", "S2",
                                                           amount=23800))  # fmt: skip
    row = await overpayment_row(ledger)
    assert (row.recovered_cents, row.status) == (23800, "recovered")


async def test_a_balance_not_voided_is_not_opened_again(ledger: Ledger) -> None:
    """238.00 with 100.00 recovered, standing: opening it again would drop the 100.00."""
    await ledger.append(message(1), receipt, overpayment(1, "238.00"))
    await ledger.append(message(2), receipt, bank_recovery(10000, 0, 10000, "partially_recovered",
                                                           "S1"))  # fmt: skip
    again = OverpaymentExtension("t1", 1, 23800, 23800, 10000, "pending", reopens="2026-12")
    await refused(ledger, message(3), Effects(overpayment_extension=again), "conflict")
    row = await overpayment_row(ledger)
    figures = (row.period, row.amount_cents, row.recovered_cents, row.status)
    assert figures == ("2026-11", 23800, 10000, "partially_recovered")
