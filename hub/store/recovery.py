"""The ledger side of recovering overpayments: the running balance and each sum recovered.

``overpayment_balances`` (one row beside each task's ``overpayments`` row) holds
the recovered total, the recovery status and the write-off request under
review; ``recoveries`` keeps each sum
recorded, keyed by its ledger record, and refuses the same bank serial or
receipt number twice. Every change of the balance names the total it expects
to find, so two recoveries recorded at once cannot both fit into one balance.
"""

from __future__ import annotations

from typing import Final

from certhub.hub.store.base import Conflict
from certhub.hub.store.overpayment_effects import OverpaymentChange, RecoveryWrite

RECOVERY_TABLES: Final = """
CREATE TABLE overpayment_balances (
    task_id         {TEXT} PRIMARY KEY REFERENCES overpayments (task_id),
    recovered_cents {BIGINT} NOT NULL DEFAULT 0,
    recovery_status {TEXT} NOT NULL DEFAULT 'pending',
    write_off_item  {BIGINT}
);
CREATE TABLE recoveries (
    sequence     {BIGINT} PRIMARY KEY REFERENCES ledger (sequence),
    task_id      {TEXT} NOT NULL,
    amount_cents {BIGINT} NOT NULL,
    source       {TEXT} NOT NULL,
    recovered_on {TEXT} NOT NULL,
    reference    {TEXT}
);
CREATE INDEX recoveries_task ON recoveries (task_id, sequence);
CREATE UNIQUE INDEX recoveries_reference ON recoveries (source, reference)
    WHERE reference IS NOT NULL
"""
"""Schema step: balances beside ``overpayments`` and each sum recovered (dialect type names)."""

BALANCE_BACKFILL: Final = (
    "INSERT INTO overpayment_balances (task_id) SELECT task_id FROM overpayments"
)
"""Overpayments established before recovery was recorded start at nothing recovered."""

OPEN_BALANCE: Final = "INSERT INTO overpayment_balances (task_id) VALUES (?)"
INSERT_RECOVERY: Final = (
    "INSERT INTO recoveries (sequence, task_id, amount_cents, source, recovered_on, reference)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_OPEN: Final = "recovery_status IN ('pending', 'partially_recovered')"
ADD_RECOVERED: Final = (
    "UPDATE overpayment_balances SET recovered_cents = ?, recovery_status = ?"
    f" WHERE task_id = ? AND recovered_cents = ? AND {_OPEN}"
)
OPEN_WRITE_OFF: Final = (
    "UPDATE overpayment_balances SET write_off_item = ?"
    f" WHERE task_id = ? AND recovered_cents = ? AND write_off_item IS NULL AND {_OPEN}"
)
CLOSE_WRITE_OFF: Final = (
    "UPDATE overpayment_balances SET write_off_item = NULL WHERE task_id = ? AND write_off_item = ?"
)
APPROVE_WRITE_OFF: Final = (
    "UPDATE overpayment_balances SET recovery_status = 'written_off', write_off_item = NULL"
    f" WHERE task_id = ? AND write_off_item = ? AND recovered_cents = ? AND {_OPEN}"
)
_AMOUNT_IS: Final = (
    " AND ? = (SELECT o.amount_cents FROM overpayments AS o"
    " WHERE o.task_id = overpayment_balances.task_id)"
)
ADD_RECOVERED_AT: Final = ADD_RECOVERED + _AMOUNT_IS
APPROVE_WRITE_OFF_AT: Final = APPROVE_WRITE_OFF + _AMOUNT_IS
"""The same, guarded by the amount the planner read too: months added (an amendment, a late
roster entry) or cut (a release) meanwhile would leave the total above the amount, a status
``recovered`` with months left, or a write-off of months nobody approved."""
VOID_OVERPAYMENT: Final = (
    "UPDATE overpayment_balances SET recovery_status = 'voided'"
    " WHERE task_id = ? AND recovered_cents = ? AND recovery_status <> 'voided'"
)
"""The termination was voided: nothing more is recovered (a write-off under review goes stale)."""
EXTEND_OVERPAYMENT: Final = (
    "UPDATE overpayments SET months = months + ?, amount_cents = amount_cents + ?"
    " WHERE task_id = ? AND amount_cents = ?"
)
EXTEND_BALANCE: Final = (
    "UPDATE overpayment_balances SET recovery_status = ? WHERE task_id = ? AND recovered_cents = ?"
    " AND recovery_status IN ('pending', 'partially_recovered', 'recovered')"
)
"""More months overpaid (a death moved earlier): recovered in full is no longer so; a balance
written off or voided is not extended."""
REOPEN: Final = (
    "UPDATE overpayments SET period = ?, months = ?, amount_cents = ?"
    " WHERE task_id = ? AND amount_cents = ?",
    "UPDATE overpayment_balances SET recovered_cents = 0, recovery_status = ?,"
    " write_off_item = NULL"
    " WHERE task_id = ? AND recovered_cents = ? AND recovery_status = 'voided'",
)
"""A voided balance opened again (a death moved back voided it whole; an approved amendment
dates it earlier again): the row takes the new records' period, months and amount, the
balance starts from nothing recovered — what it had recovered was refunded when it was
voided (its ``<record>:voided`` records say so) and recovers nothing now. Only a voided
balance is opened again."""
REDUCE_OVERPAYMENT: Final = (
    "UPDATE overpayments SET months = ?, amount_cents = ? WHERE task_id = ? AND amount_cents = ?"
)
REDUCE_BALANCE: Final = (
    "UPDATE overpayment_balances SET recovered_cents = ?, recovery_status = ?"
    " WHERE task_id = ? AND recovered_cents = ? AND recovery_status <> 'voided'"
)
FREE_MONTH: Final = (
    "DELETE FROM benefit_months"
    " WHERE person_id = ? AND purpose = 'recovered' AND month = ? AND source = ?"
)
"""Months taken off an overpayment (a release stated: they were payable): the row shrinks from
the amount it expects, the balance's recovered total drops to what the months kept hold (the
rest refunded), a voided balance is not touched; each month the task claimed is freed."""
SELECT_OVERPAYMENT: Final = (
    "SELECT o.task_id, o.person_id, o.county, o.period, o.months, o.amount_cents,"
    " b.recovered_cents, b.recovery_status, b.write_off_item"
    " FROM overpayments AS o JOIN overpayment_balances AS b ON b.task_id = o.task_id"
)
SELECT_RECOVERIES: Final = (
    "SELECT sequence, amount_cents, source, recovered_on, reference FROM recoveries"
    " WHERE task_id = ? ORDER BY sequence"
)


def changed_meanwhile(change: OverpaymentChange) -> Conflict:
    """The refusal when the balance moved between planning and writing."""
    detail = f"the overpayment of task {change.task_id} changed meanwhile; retry"
    return Conflict("conflict", detail)


def reference_used(write: RecoveryWrite) -> Conflict:
    """The refusal of a bank serial or receipt number recorded before."""
    return Conflict(
        "recovery-already-recorded",
        f"a {write.source} recovery with reference {write.reference!r} is already recorded",
    )
