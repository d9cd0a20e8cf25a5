"""What the hub needs from a ledger, independent of the database behind it.

Exceptions::

    StoreError
    ├── ReplayConflict     a sender reused a message id for different bytes
    └── StoreUnavailable   the database could not commit (disk, lock, connection)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class RecordKind(StrEnum):
    """Which provincial pull a ledger record belongs to."""

    REPORT = "report"
    CERTIFICATION = "certification"


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A verified, validated message about to be appended to the ledger.

    ``jws`` is the exact byte string received; ``payload`` the exact signed
    payload bytes, so a record can be re-verified by anyone later.
    """

    kind: RecordKind
    message_type: str
    sender: str
    message_id: str
    kid: str
    sha256: str
    jws: bytes
    payload: bytes
    received_at: datetime
    county: str | None = None
    reason: str | None = None
    period: str | None = None


@dataclass(frozen=True, slots=True)
class LedgerRecord:
    """A committed ledger entry with the receipt the hub gave for it."""

    sequence: int
    kind: RecordKind
    message_type: str
    sender: str
    message_id: str
    kid: str
    sha256: str
    jws: bytes
    payload: bytes
    received_at: datetime
    receipt: str


@dataclass(frozen=True, slots=True)
class AppendOutcome:
    """The record for a message and whether this call created it."""

    record: LedgerRecord
    created: bool


ReceiptFactory = Callable[[int], str]
"""Signs the receipt for a record once its ledger sequence is known."""


class StoreError(Exception):
    """Root of the ledger store's errors."""


class ReplayConflict(StoreError):
    """The sender already used this message id for a message with other bytes."""


class StoreUnavailable(StoreError):
    """The ledger could not durably commit; nothing was acknowledged."""


class LedgerStore(Protocol):
    """The durable, append-only, idempotent ledger."""

    async def append(self, message: NewMessage, receipt_for: ReceiptFactory) -> AppendOutcome:
        """Commit ``message`` unless the same (sender, message id) exists.

        Returns only after the record is durable. The same bytes again return
        the existing record with ``created=False``; other bytes under the same
        message id raise :class:`ReplayConflict`.
        """
        ...

    async def find(self, sender: str, message_id: str) -> LedgerRecord | None:
        """The record a sender stored under ``message_id``, if any."""
        ...

    async def page(self, kind: RecordKind, after: int, limit: int) -> Sequence[LedgerRecord]:
        """Records of ``kind`` with sequence greater than ``after``, oldest first."""
        ...

    async def count(self, kind: RecordKind | None = None) -> int:
        """How many records the ledger holds (of one kind, or all)."""
        ...

    async def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the ledger can be read and written."""
        ...

    async def aclose(self) -> None:
        """Finish pending writes and release the database."""
        ...
