"""The ledger store: its interface, the SQLite and PostgreSQL dialects, and :func:`open_ledger`."""

from certhub.hub.store.base import (
    AppendOutcome,
    BiometricRow,
    Conflict,
    DeadlineRow,
    ItemRow,
    LedgerRecord,
    LedgerStore,
    NewMessage,
    OverpaymentRow,
    RatingRow,
    ReceiptFactory,
    RecordKind,
    RecoveryRow,
    ReplayConflict,
    StatRow,
    StoreError,
    StoreUnavailable,
    TaskRow,
)
from certhub.hub.store.opening import Ledger, open_ledger
from certhub.hub.store.sqlite.ledger import SqliteLedger

__all__ = [
    "AppendOutcome",
    "BiometricRow",
    "Conflict",
    "DeadlineRow",
    "ItemRow",
    "Ledger",
    "LedgerRecord",
    "LedgerStore",
    "NewMessage",
    "OverpaymentRow",
    "RatingRow",
    "ReceiptFactory",
    "RecordKind",
    "RecoveryRow",
    "ReplayConflict",
    "SqliteLedger",
    "StatRow",
    "StoreError",
    "StoreUnavailable",
    "TaskRow",
    "open_ledger",
]
