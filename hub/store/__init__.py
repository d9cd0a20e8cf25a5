"""The ledger store: an interface and its embedded SQLite implementation."""

from hub.store.base import (
    AppendOutcome,
    Conflict,
    ItemRow,
    LedgerRecord,
    LedgerStore,
    NewMessage,
    ReceiptFactory,
    RecordKind,
    ReplayConflict,
    StatRow,
    StoreError,
    StoreUnavailable,
    TaskRow,
)
from hub.store.sqlite import SqliteLedger

__all__ = [
    "AppendOutcome",
    "Conflict",
    "ItemRow",
    "LedgerRecord",
    "LedgerStore",
    "NewMessage",
    "ReceiptFactory",
    "RecordKind",
    "ReplayConflict",
    "SqliteLedger",
    "StatRow",
    "StoreError",
    "StoreUnavailable",
    "TaskRow",
]
