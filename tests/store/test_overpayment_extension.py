"""A death moved earlier adds months to a task's overpayment, on both backends: the row grows
from the amount it expects, the balance's status follows, a settled balance takes nothing."""

from __future__ import annotations

from ledger_backends import Ledger
from ledgerkit import bank_recovery, overpayment, overpayment_row, receipt, refused
from ledgerkit import decision as message
from ledgerkit import months_added as grown

from certhub.hub.store.effects import Effects
from certhub.hub.store.overpayment_effects import OverpaymentChange


async def test_months_added_to_a_recovered_overpayment(ledger: Ledger) -> None:
    """2026-11..12 = 476.00 recovered in full; 2026-07..10 = 952.00 added: 1,428.00, 952.00
    remaining, partly recovered."""
    await ledger.append(message(1), receipt, overpayment(2, "476.00"))
    paid = bank_recovery(47600, 0, 47600, "recovered", "S1")
    await ledger.append(message(2), receipt, paid)
    # planned on an amount that is no longer the row's: refused, nothing written
    await refused(ledger, message(3), grown(4, 95200, 0, 47600, "partially_recovered"), "conflict")
    # planned on a recovered total that moved: refused, the amount not changed either
    await refused(ledger, message(4), grown(4, 95200, 47600, 0, "partially_recovered"), "conflict")
    row = await overpayment_row(ledger)
    assert (row.months, row.amount_cents, row.status) == (2, 47600, "recovered")

    await ledger.append(message(5), receipt, grown(4, 95200, 47600, 47600, "partially_recovered"))
    row = await overpayment_row(ledger)
    assert (row.months, row.amount_cents, row.recovered_cents, row.status) == (
        6,
        142800,
        47600,
        "partially_recovered",
    )


async def test_a_voided_balance_takes_no_more_months(ledger: Ledger) -> None:
    await ledger.append(message(1), receipt, overpayment(2, "476.00"))
    void = OverpaymentChange("t1", "voided", 0, 0, "voided")
    await ledger.append(message(2), receipt, Effects(overpayment_change=void))
    await refused(ledger, message(3), grown(4, 95200, 47600, 0, "pending"), "conflict")
    row = await overpayment_row(ledger)
    assert (row.months, row.amount_cents, row.status) == (2, 47600, "voided")
