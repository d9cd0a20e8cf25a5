"""A recovery or a write-off's approval names the overpayment amount it was planned on, on both
backends: written only while the row still holds it (months added or cut meanwhile refuse it)."""

from __future__ import annotations

from datetime import UTC, datetime

from ledger_backends import Ledger
from ledgerkit import message_series, overpayment_row, receipt, refused

from certhub.hub.store import RecordKind
from certhub.hub.store.effects import (
    Effects,
    ItemOpen,
    OverpaymentChange,
    OverpaymentExtension,
    OverpaymentWrite,
    RecoveryWrite,
)

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
message = message_series(
    T0, kind=RecordKind.DECISION, message_type="decision/v1", sender="county-1", payload=b"{}"
)


def recovered(cents: int, amount: int, status: str, ref: str) -> Effects:
    """``cents`` recovered of nothing so far, planned on an overpayment of ``amount``."""
    return Effects(
        recovery=RecoveryWrite("t1", cents, "bank_reversal", "2026-11-20", ref),
        overpayment_change=OverpaymentChange(
            "t1", "recovered", 0, cents, status, expected_amount_cents=amount
        ),
    )


async def test_a_recovery_planned_on_another_amount_is_refused(ledger: Ledger) -> None:
    """476.00 overpaid; 238.00 added (71,400 cents): 476.00 planned as recovering it in full
    is refused, nothing written; planned on 714.00 it is partly recovered."""
    over = OverpaymentWrite("t1", "440103199001011234", "440103", "2026-11", 2, "476.00")
    await ledger.append(message(1), receipt, Effects(overpayments=(over,)))
    grown = OverpaymentExtension("t1", 1, 23800, 47600, 0, "pending")
    await ledger.append(message(2), receipt, Effects(overpayment_extension=grown))
    await refused(ledger, message(3), recovered(47600, 47600, "recovered", "S1"), "conflict")
    row = await overpayment_row(ledger)
    assert (row.amount_cents, row.recovered_cents, row.status) == (71400, 0, "pending")

    await ledger.append(message(4), receipt, recovered(47600, 71400, "partially_recovered", "S1"))
    row = await overpayment_row(ledger)
    assert (row.amount_cents, row.recovered_cents, row.status) == (
        71400,
        47600,
        "partially_recovered",
    )


async def test_a_write_off_approved_on_another_amount_is_refused(ledger: Ledger) -> None:
    """476.00 asked to be written off; 238.00 added meanwhile: the approval planned on 476.00
    is refused (the balance stays pending, its request under review); on 714.00 it lands."""
    over = OverpaymentWrite("t1", "440103199001011234", "440103", "2026-11", 2, "476.00")
    await ledger.append(message(1), receipt, Effects(overpayments=(over,)))
    ask = OverpaymentChange("t1", "write_off_requested", 0, 0, "pending")
    made = await ledger.append(
        message(2), receipt, Effects(item=ItemOpen("write_off"), overpayment_change=ask)
    )
    item = made.record.sequence
    grown = OverpaymentExtension("t1", 1, 23800, 47600, 0, "pending")
    await ledger.append(message(3), receipt, Effects(overpayment_extension=grown))

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
