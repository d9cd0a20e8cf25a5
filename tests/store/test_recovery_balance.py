"""The overpayment balance on both backends: a recovery fits the total it expects, or nothing."""

from __future__ import annotations

from ledger_backends import Ledger
from ledgerkit import (
    T0,
    WRITE_OFF_ASKED,
    bank_recovery,
    message_series,
    overpayment,
    overpayment_row,
    receipt,
    refused,
    write_off_asked,
)

from certhub.hub.store import PageQuery, RecordKind
from certhub.hub.store.effects import Effects
from certhub.hub.store.overpayment_effects import OverpaymentChange

message = message_series(
    T0, kind=RecordKind.RECOVERY, message_type="recovery/v1", sender="det-1", payload=b"{}"
)


async def test_recoveries_move_the_balance_only_from_the_total_they_expect(ledger: Ledger) -> None:
    await ledger.append(message(1), receipt, overpayment(3, "714.00"))
    row = await overpayment_row(ledger)
    assert (row.amount_cents, row.recovered_cents, row.status) == (71400, 0, "pending")

    first = await ledger.append(
        message(2), receipt, bank_recovery(23800, 0, 23800, "partially_recovered", "S1")
    )
    # planned on the old balance (0): refused, nothing written
    await refused(
        ledger, message(3), bank_recovery(10000, 0, 10000, "partially_recovered", "S2"), "conflict"
    )
    # the same bank serial again, even on the right balance
    await refused(
        ledger,
        message(4),
        bank_recovery(100, 23800, 23900, "partially_recovered", "S1"),
        "recovery-already-recorded",
    )
    await ledger.append(message(5), receipt, bank_recovery(47600, 23800, 71400, "recovered", "S3"))
    row = await overpayment_row(ledger)
    assert (row.recovered_cents, row.status) == (71400, "recovered")
    # settled: even a correctly planned change finds no open balance
    await refused(ledger, message(6), bank_recovery(1, 71400, 71401, "recovered", None), "conflict")
    sums = await ledger.list_recoveries("t1")
    assert [(r.sequence, r.amount_cents, r.reference) for r in sums] == [
        (first.record.sequence, 23800, "S1"),
        (first.record.sequence + 1, 47600, "S3"),
    ]
    page = await ledger.list_overpayments(PageQuery("", 10, "4401"), status="recovered")
    assert [r.task_id for r in page] == ["t1"]
    assert await ledger.list_overpayments(PageQuery("", 10), status="pending") == []


async def test_one_write_off_under_review_and_approval_on_the_balance_it_was_asked_for(
    ledger: Ledger,
) -> None:
    await ledger.append(message(1), receipt, overpayment(2, "476.00"))
    item = await write_off_asked(ledger, message(2))
    row = await overpayment_row(ledger)
    assert row.write_off_item == item
    # one at a time
    await refused(ledger, message(3), Effects(overpayment_change=WRITE_OFF_ASKED), "conflict")

    # money arrives meanwhile: approving on the old balance is refused
    await ledger.append(
        message(4), receipt, bank_recovery(100, 0, 100, "partially_recovered", "S9")
    )
    approve = OverpaymentChange("t1", "write_off_approved", 0, 0, "written_off", item)
    await refused(ledger, message(5), Effects(overpayment_change=approve), "conflict")
    reject = OverpaymentChange("t1", "write_off_rejected", 100, 100, "partially_recovered", item)
    await ledger.append(message(6), receipt, Effects(overpayment_change=reject))
    row = await overpayment_row(ledger)
    assert row.write_off_item is None

    ask = OverpaymentChange("t1", "write_off_requested", 100, 100, "partially_recovered")
    made = await ledger.append(message(7), receipt, Effects(overpayment_change=ask))
    approve = OverpaymentChange(
        "t1", "write_off_approved", 100, 100, "written_off", made.record.sequence
    )
    await ledger.append(message(8), receipt, Effects(overpayment_change=approve))
    row = await overpayment_row(ledger)
    assert (row.recovered_cents, row.status, row.write_off_item) == (100, "written_off", None)
