"""What the hub needs from a ledger, independent of the database behind it.

Exceptions::

    StoreError
    ├── ReplayConflict     a sender reused a message id for different bytes
    ├── Conflict           a precondition failed: changed concurrently, or a guard refused
    │                      (also a schemas.Refusal, with its problem slug)
    └── StoreUnavailable   the database could not commit (disk, lock, connection)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from certhub.hub.store.accountability_reads import (
    AccountabilityReads,
    AssessmentReads,
    BiometricRow,
    DeadlineRow,
    OverpaymentRow,
    PageQuery,
    RatingRow,
    RecoveryReads,
    RecoveryRow,
)
from certhub.hub.store.certification_holds import CertificationHolds
from certhub.hub.store.comparison_jobs import PartitionLedger
from certhub.hub.store.effects import NO_EFFECTS, Effects
from certhub.hub.store.hold_clearances import HoldClearances
from certhub.hub.store.imported_months import ImportedMonths
from certhub.hub.store.outbox import OutboxStore
from certhub.hub.store.person_guard import PersonGuards
from certhub.hub.store.records import NewMessage, RecordKind, SignedMessage
from certhub.hub.store.register_reads import CertificationRegister, RegisterHolds, RegisterUpdates
from certhub.hub.store.sender_reads import SenderReads
from certhub.schemas import Refusal
from certhub.security.scopes import AreaScope

__all__ = [
    "AccountabilityReads",
    "AppendOutcome",
    "AssessmentReads",
    "AuditLog",
    "BenefitReads",
    "BiometricRow",
    "Conflict",
    "DeadlineRow",
    "ItemRow",
    "LedgerRecord",
    "LedgerStore",
    "Lifecycle",
    "NewMessage",
    "OverpaymentRow",
    "PageQuery",
    "Presigner",
    "ProcedureReads",
    "RatingRow",
    "ReceiptFactory",
    "RecordKind",
    "RecordStore",
    "RecoveryReads",
    "RecoveryRow",
    "ReplayConflict",
    "ReportDeadlineRow",
    "ReportUnderReview",
    "Reporting",
    "ReviewItems",
    "StatRow",
    "StoreError",
    "StoreUnavailable",
    "TaskRow",
]

if TYPE_CHECKING:
    from certhub.hub.store.audit_chain import AuditEntry


@dataclass(frozen=True, slots=True)
class LedgerRecord(SignedMessage):
    """A committed ledger entry: the signed message, its place and the hub's receipt for it."""

    sequence: int
    receipt: str
    status: str | None = None  # the item's review status, for records under review


@dataclass(frozen=True, slots=True)
class ItemRow:
    """A record under two-level review."""

    item_id: int
    kind: str
    status: str
    version: int
    accepted_by: str | None
    decided_by: str | None
    municipal: bool


@dataclass(frozen=True, slots=True)
class ReportUnderReview:
    """A person's eligibility report not yet decided: its item (the report's ledger
    sequence), the reason it reports and where it stands (``received`` or ``accepted``)."""

    item_id: int
    reason: str
    status: str


@dataclass(frozen=True, slots=True)
class ReportDeadlineRow:
    """A report under review and its deadline's marks: its item (ledger sequence), reason,
    status, the reporter's region, when it was filed (ISO-8601, UTC) and the epoch seconds
    it was reminded and escalated at."""

    item_id: int
    reason: str
    status: str
    county: str
    village: str | None
    filed_at: str
    reminded_at: float | None
    escalated_at: float | None


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A verification task's stored snapshot and its concurrency version."""

    task_id: str
    snapshot: bytes
    version: int
    changed_seq: int


@dataclass(frozen=True, slots=True)
class StatRow:
    """One group of a statistics query."""

    section: str
    key: str
    count: int
    amount_cents: int = 0


@dataclass(frozen=True, slots=True)
class AppendOutcome:
    """The record for a message and whether this call created it."""

    record: LedgerRecord
    created: bool


ReceiptFactory = Callable[[int], str]
"""Signs the receipt for a record once its ledger sequence is known."""

Presigner = Callable[[Sequence[tuple[ReceiptFactory, int]]], Awaitable[Sequence[str | None]]]
"""Signs a batch's receipts for the sequences they are expected to get, ahead of its
transaction (``None``: that one is signed in the transaction as usual)."""


class StoreError(Exception):
    """Root of the ledger store's errors."""


class ReplayConflict(StoreError):
    """The sender already used this message id for a message with other bytes."""


class Conflict(StoreError, Refusal):
    """A precondition of the message's effects failed; nothing of it was stored.

    A :class:`schemas.Refusal`: ``Conflict(slug, detail)``, ``conflict`` for a
    concurrent change, ``zero-report-conflict`` for a zero report beside real reports.
    """


class StoreUnavailable(StoreError):
    """The ledger could not durably commit; nothing was acknowledged."""


class RecordStore(Protocol):
    """The records: append idempotently, find one, page through them."""

    async def append(
        self, message: NewMessage, receipt_for: ReceiptFactory, effects: Effects = NO_EFFECTS
    ) -> AppendOutcome:
        """Commit ``message`` and its ``effects`` unless the same (sender, message id) exists.

        Returns only after the record, its effects and their audit entries are
        durable. The same bytes again return the existing record with
        ``created=False``; other bytes under the same message id raise
        :class:`ReplayConflict`; a failed precondition raises :class:`Conflict`.
        """
        ...

    async def find(self, sender: str, message_id: str) -> LedgerRecord | None:
        """The record a sender stored under ``message_id``, if any."""
        ...

    async def get_record(self, sequence: int) -> LedgerRecord | None:
        """The record at ``sequence``."""
        ...

    async def page(
        self, kind: RecordKind, after: int, limit: int, *, area: AreaScope | None = None
    ) -> Sequence[LedgerRecord]:
        """Records of ``kind`` with sequence greater than ``after``, oldest first, in ``area``."""
        ...

    async def cites_evidence(self, digest: str, area: AreaScope | None) -> bool:
        """Tell whether ``digest`` is ``area``'s: its uploader cites it in a record in ``area``."""
        ...

    async def page_all(self, after: int, limit: int) -> Sequence[LedgerRecord]:
        """Every record after ``after``, of any kind, oldest first."""
        ...

    async def count(self, kind: RecordKind | None = None) -> int:
        """How many records the ledger holds (of one kind, or all)."""
        ...


class ProcedureReads(Protocol):
    """What the procedure planners read of the review: items and verification tasks."""

    async def get_item(self, item_id: int) -> ItemRow | None:
        """The review state of an item."""
        ...

    async def get_task(self, task_id: str) -> TaskRow | None:
        """A verification task by id."""
        ...

    async def find_open_task(self, person_id: str, kind: str) -> TaskRow | None:
        """The open (or in-progress) task of this person and kind, if any."""
        ...

    async def confirmed_tasks(self, person_id: str) -> Sequence[TaskRow]:
        """This person's confirmed verification tasks, in the order they last changed."""
        ...

    async def list_tasks(
        self, page: PageQuery[int], *, status: str | None = None
    ) -> Sequence[TaskRow]:
        """Tasks changed after the page's cursor (their ``changed_seq``), optionally by
        status."""
        ...


class BenefitReads(Protocol):
    """A person's benefit as the money rules see it: the roster entry, the hub's own
    termination, the months counted once (back paid, recovered, resumed)."""

    async def get_roster(self, person_id: str) -> bytes | None:
        """The provincial roster entry (canonical JSON) of a person."""
        ...

    async def closed_benefit(self, person_id: str) -> tuple[str, str] | None:
        """(reason, task id) of the hub's own termination of this person's benefit, if any."""
        ...

    async def closed_imported(self, as_of: str) -> list[str]:
        """The people whose benefit the hub closed and whose roster entry is an import's
        (``sequence`` 0) as of ``as_of``, in ID-number order: the few a roster import may
        show paid after their termination (one query over the closed benefits)."""
        ...

    async def counted_months(self, person_id: str, purpose: str) -> frozenset[str]:
        """The months (``YYYY-MM``) of this person ``back_paid``, ``recovered`` or ``resumed``."""
        ...

    async def resumed_after_roster(self, person_id: str) -> frozenset[str]:
        """The months this person's restorations resume payment in (``resumed``) that were
        recorded after the hub's roster entry of the person (all, with no entry, or with an
        imported entry: it names no ledger record, sequence 0)."""
        ...

    async def resumed_after(self, person_id: str, sequence: int) -> frozenset[str]:
        """The months this person's restorations resume payment in (``resumed``) that were
        recorded after ledger record ``sequence`` by restorations approved (staff's items
        approved, the hub's signed on a proposal's approval); pending ones not."""
        ...

    async def back_paid_months(self, person_id: str) -> frozenset[str]:
        """The months (``YYYY-MM``) restorations approved back-paid this person (staff's
        items approved, the hub's signed on a proposal's approval; pending and rejected
        ones not) and those the roster paid after an imprisonment's stated end of sentence
        (claimed by its task): paid, whatever the hub's roster entry still says."""
        ...


class ReviewItems(Protocol):
    """A reader's list of items awaiting a decision (:mod:`~certhub.hub.store.review_reads`)."""

    async def list_items(
        self, kind: str, page: PageQuery[int], *, statuses: Sequence[str]
    ) -> Sequence[LedgerRecord]:
        """Records of items of ``kind`` in one of ``statuses``, by ledger sequence after
        ``page.after``, of the region prefix, inside the area; each with its review status."""
        ...

    async def reports_under_review(self, person_id: str) -> Sequence[ReportUnderReview]:
        """This person's eligibility reports filed and not yet approved or rejected (the
        town may have accepted them), oldest first: read by key (``ledger_reports_person``)."""
        ...

    async def reports_due(
        self, *, remind_filed_by: datetime, escalate_filed_before: datetime, limit: int
    ) -> Sequence[ReportDeadlineRow]:
        """Reports under review due a reminder (filed by ``remind_filed_by``) or an
        escalation (filed before ``escalate_filed_before``) they have not had, by item."""
        ...

    async def list_report_deadlines(
        self, page: PageQuery[int], *, filed_before: datetime | None = None
    ) -> Sequence[ReportDeadlineRow]:
        """Reports under review by item after ``page.after``, of the region prefix, inside the
        area (only those filed before ``filed_before`` when given: the overdue)."""
        ...


class Reporting(Protocol):
    """Figures the database computes: compliance inputs and statistics."""

    async def compliance_inputs(self, period: str) -> tuple[set[str], dict[str, datetime]]:
        """Unit codes with reports in ``period``, and each zero-reporting unit's first time."""
        ...

    async def stats(
        self, period: str, group_by: str, *, area: AreaScope | None = None
    ) -> list[StatRow]:
        """Grouped counts for a period, computed by the database, of the records in ``area``."""
        ...


class AuditLog(Protocol):
    """The audit chain: its links, its signed checkpoints, and entries of no record."""

    async def audit_entries(self, after: int, limit: int) -> list[AuditEntry]:
        """Audit links after ``after``."""
        ...

    async def audit_checkpoints(self) -> list[tuple[int, str, str]]:
        """Signed checkpoints (audit seq, head hash, JWS)."""
        ...

    async def record_audit(self, action: str, subject: str, actor: str, digest: str) -> None:
        """Append an audit entry that belongs to no ledger record (e.g. evidence stored)."""
        ...

    async def evidence_stored_by(self, digest: str, sender: str) -> bool:
        """Tell whether ``sender`` uploaded the evidence ``digest`` first (its audit link)."""
        ...


class Lifecycle(Protocol):
    """Readiness and shutdown."""

    async def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the ledger can be read and written."""
        ...

    async def aclose(self) -> None:
        """Finish pending writes and release the database."""
        ...


class LedgerStore(
    RecordStore,
    ProcedureReads,
    CertificationHolds,
    HoldClearances,
    BenefitReads,
    PersonGuards,
    Reporting,
    AuditLog,
    OutboxStore,
    CertificationRegister,
    RegisterHolds,
    RegisterUpdates,
    ImportedMonths,
    SenderReads,
    RecoveryReads,
    AccountabilityReads,
    AssessmentReads,
    PartitionLedger,
    ReviewItems,
    Lifecycle,
    Protocol,
):
    """The durable, append-only, idempotent ledger, with its transactional outbox: every role.

    A component that needs one role only should ask for that protocol
    (e.g. the delivery relay for :class:`~certhub.hub.store.outbox.OutboxStore`).
    """
