"""A recovery or a write-off's approval names the overpayment amount it was planned on, on both
backends: written only while the row still holds it (months added or cut meanwhile refuse it)."""

from __future__ import annotations

from ledger_backends import Ledger
from ledgerkit import (
    bank_recovery,
    months_added,
    overpayment,
    overpayment_row,
    receipt,
    refused,
    write_off_asked,
)
from ledgerkit import decision as message

from certhub.hub.store.effects import Effects
from certhub.hub.store.overpayment_effects import OverpaymentChange


async def test_a_recovery_planned_on_another_amount_is_refused(ledger: Ledger) -> None:
    """476.00 overpaid; 238.00 added (71,400 cents): 476.00 planned as recovering it in full
    is refused, nothing written; planned on 714.00 it is partly recovered."""
    await ledger.append(message(1), receipt, overpayment(2, "476.00"))
    await ledger.append(message(2), receipt, months_added(1, 23800, 47600, 0, "pending"))
    await refused(
        ledger,
        message(3),
        bank_recovery(47600, 0, 47600, "recovered", "S1", amount=47600),
        "conflict",
    )
    row = await overpayment_row(ledger)
    assert (row.amount_cents, row.recovered_cents, row.status) == (71400, 0, "pending")

    await ledger.append(
        message(4),
        receipt,
        bank_recovery(47600, 0, 47600, "partially_recovered", "S1", amount=71400),
    )
    row = await overpayment_row(ledger)
    assert (row.amount_cents, row.recovered_cents, row.status) == (
        71400,
        47600,
        "partially_recovered",
    )


async def test_a_write_off_approved_on_another_amount_is_refused(ledger: Ledger) -> None:
    """476.00 asked to be written off; 238.00 added meanwhile: the approval planned on 476.00
    is refused (the balance stays pending, its request under review); on 714.00 it lands."""
    await ledger.append(message(1), receipt, overpayment(2, "476.00"))
    item = await write_off_asked(ledger, message(2))
    await ledger.append(message(3), receipt, months_added(1, 23800, 47600, 0, "pending"))

    def approve(amount: int) -> Effects:
        change = OverpaymentChange(
            "t1", "write_off_approved", 0, 0, "written_off", item, expected_amount_cents=amount
        )
        return Effects(overpayment_change=change)

    await refused(ledger, message(4), approve(47600), "conflict")
    row = await overpayment_row(ledger)
    assert (row.amount_cents, row.status, row.write_off_item) == (71400, "pending", item)
    await ledger.append(message(5), receipt, approve(71400))
    row = await overpayment_row(ledger)
    assert (row.amount_cents, row.status, row.write_off_item) == (71400, "written_off", None)
