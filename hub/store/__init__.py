"""The ledger store: an interface and its embedded SQLite implementation."""

from hub.store.base import (
    AppendOutcome,
    Conflict,
    ItemRow,
    StatRow,
    TaskRow,
    LedgerRecord,
    LedgerStore,
    NewMessage,
    ReceiptFactory,
    RecordKind,
    ReplayConflict,
    StoreError,
    StoreUnavailable,
)
from hub.store.sqlite import SqliteLedger

__all__ = [
    "AppendOutcome",
    "Conflict",
    "ItemRow",
    "StatRow",
    "TaskRow",
    "LedgerRecord",
    "LedgerStore",
    "NewMessage",
    "ReceiptFactory",
    "RecordKind",
    "ReplayConflict",
    "SqliteLedger",
    "StoreError",
    "StoreUnavailable",
]
