"""State changes committed atomically with a ledger record.

The workflow's pure functions decide *what* changes; these plain records say
it to the store, which applies them in the same transaction as the ledger
row and its audit entries — all or nothing. Preconditions (``expected_version``,
``ZeroReportGuard``) make a concurrent change fail the whole message with
:class:`~certhub.hub.store.base.Conflict` instead of overwriting it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from certhub.hub.store.overpayment_effects import (
    OverpaymentChange,
    OverpaymentExtension,
    OverpaymentReduction,
    OverpaymentWrite,
    RecoveryWrite,
)
from certhub.hub.store.person_guard import CertifiedGuard, PersonGuard
from certhub.hub.store.records import NewMessage, RecordKind, carried_over
from certhub.hub.store.register_withdrawal import RegisterWithdrawal


@dataclass(frozen=True, slots=True)
class ItemOpen:
    """Make the appended record an item under two-level review."""

    kind: str
    municipal: bool = False


@dataclass(frozen=True, slots=True)
class ItemUpdate:
    """Move an item to a new status if it is still at ``expected_version``."""

    item_id: int
    expected_version: int
    status: str
    accepted_by: str | None
    decided_by: str | None


@dataclass(frozen=True, slots=True)
class TaskWrite:
    """Insert a task (``expected_version`` None) or update it if still at that version."""

    task_id: str
    person_id: str
    kind: str
    status: str
    county: str
    village: str | None
    snapshot: bytes  # canonical JSON of the VerificationTask
    expected_version: int | None


@dataclass(frozen=True, slots=True)
class RosterWrite:
    """The provincial roster entry for one person (latest ``as_of`` wins)."""

    person_id: str
    as_of: str
    snapshot: bytes
    # the register's copy of the entry (hub/store/register.py), written in the same transaction
    area: str | None = None  # village code, or the county's when the roster names no village
    name: str | None = None
    status: str | None = None
    suspended_since: str | None = None  # ISO date


@dataclass(frozen=True, slots=True)
class HubRecord:
    """A record the hub itself signed (task state, termination, …), appended to the ledger."""

    message_type: str
    sender: str
    kid: str
    message_id: str
    sha256: str
    jws: bytes
    payload: bytes
    county: str | None
    reason: str | None
    period: str | None
    person_id: str | None
    village: str | None = None  # the person's, so village areas read it
    item: ItemOpen | None = None  # the record is an item under review (a hub's proposal)
    once: bool = False  # one of its id, which two messages may plan: left out once stored

    def as_message(self, received_at: datetime) -> NewMessage:
        """The ledger row of this record (kind ``outcome``), stamped like its cause."""
        return NewMessage(
            kind=RecordKind.OUTCOME, received_at=received_at, **carried_over(self, NewMessage)
        )


def no_receipt(_sequence: int) -> str:
    """The receipt of a record the hub appends on its own initiative: none.

    A receipt is the hub's signed answer to a sender; the hub's own records (a task
    deadline's escalation, a rating given through a link, a suspension proposal) have
    no other sender to answer, like every outcome.
    """
    return ""


@dataclass(frozen=True, slots=True)
class NoticeWrite:
    """An SMS to send, idempotent by ``notice_id`` (the outbox of notifications)."""

    notice_id: str
    person_id: str
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class OutboxWrite:
    """A delivery to another party, committed with its cause (the transactional outbox).

    ``delivery_id`` is stable, so writing it twice (a re-planned message)
    queues one delivery; the dispatcher records it once delivered, so a
    redelivery never repeats the department call's effect.
    ``correlation_id`` defaults to the causing ledger sequence.
    """

    delivery_id: str
    destination: str  # the adapter name, e.g. "sms", "ministry"
    operation: str  # what to call on it, e.g. "notify", "push_certification"
    payload: bytes  # canonical JSON
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class DeadlineWrite:
    """A task's deadline: ``open`` it (with ``due_at``), ``resolve`` it, ``remind`` or
    ``escalate`` (each once). Times are epoch seconds.

    With ``subject="report"``, ``task_id`` is a report's item (its ledger sequence) and
    only ``remind`` and ``escalate`` apply: a report's deadline runs from its filing.
    """

    task_id: str
    step: str  # "open" | "resolve" | "remind" | "escalate"
    at: float
    kind: str = ""
    county: str = ""
    village: str | None = None
    due_at: float | None = None
    subject: str = "task"  # "task" | "report"


@dataclass(frozen=True, slots=True)
class BiometricWrite:
    """The latest biometric enrolment status of a person's model (a later report wins)."""

    person_id: str
    modality: str
    status: str
    occurred_at: str  # ISO-8601 in UTC, so that text order is time order
    channel: str
    area: str  # the person's village, else county


@dataclass(frozen=True, slots=True)
class RatingWrite:
    """One rating of one service event (the message's own record is the rating's id)."""

    service_record: int
    service_kind: str
    score: int
    rater: str
    via: str  # "sms_link" | "channel_app"
    area: str
    rated_at: float  # epoch seconds
    follow_up_due: float | None  # a bad rating's follow-up deadline


@dataclass(frozen=True, slots=True)
class FollowUpWrite:
    """What the town did about a bad rating (refused once it is rectified)."""

    rating: int
    action: str  # "callback" | "visit" | "rectified"
    at: float
    outcome: str


@dataclass(frozen=True, slots=True)
class MonthsClaim:
    """Months of a person's benefit paid back or recovered, each at most once.

    The ledger keys them by (person, purpose, month): a month claimed twice
    for the same purpose fails the whole message (``months-already-counted``).
    ``source`` is the task id or restoration item id; None means the record
    this message appends (a restoration request's own ledger sequence).
    """

    person_id: str
    purpose: str  # "back_paid" | "recovered" | "resumed" (the month payment resumes in)
    months: tuple[str, ...]  # YYYY-MM
    source: str | None = None


@dataclass(frozen=True, slots=True)
class BenefitClosure:
    """The hub terminated this person's benefit; once per person (a ledger key)."""

    person_id: str
    reason: str
    task_id: str


@dataclass(frozen=True, slots=True)
class EvidenceBinding:
    """An ID image or on-site photo certifies this person and nobody else (a ledger key)."""

    sha256: str
    person_id: str


@dataclass(frozen=True, slots=True)
class RegisterCertification:
    """A passed certification for the register (the cycle rule is hub/rules/cycle.py).

    ``sequence`` is the certification's own ledger record; None means the
    record this message appends (a staff-assisted one counts once approved,
    from the approval, naming the certification's record).
    """

    person_id: str
    certified_on: str  # ISO date, China Standard Time
    month: int  # its month index (year * 12 + month - 1)
    method: str
    channel: str
    area: str
    name: str
    sequence: int | None = None


@dataclass(frozen=True, slots=True)
class AuditWrite:
    """One more link in the audit chain (besides the automatic "message accepted")."""

    action: str
    subject: str
    actor: str
    digest: str


@dataclass(frozen=True, slots=True)
class ZeroReportGuard:
    """Refuse the message if ``unit`` (a village or county code) sent reports in ``period``."""

    unit: str
    period: str


@dataclass(frozen=True, slots=True)
class Unrecorded:
    """Refuse the message (``conflict``) if the ledger holds a record (``sender``,
    ``message_id``) its planner found absent and planned on: the same fact under another
    id (a bank certification's other way, ``hub/ingress/bank_twins.py``), or a record whose
    coming changes the plan (the hub's suspension a certification would propose restoring,
    ``hub/procedure/certified_restoration.py``).

    Checked in the write's transaction, which every ledger writer serialises (PostgreSQL's
    writers' lock, SQLite's one writer), so of two such messages planned at once the second
    to commit finds the first."""

    sender: str
    message_id: str


@dataclass(frozen=True, slots=True)
class ClosureRead:
    """The hub's closure of ``person_id``'s benefit as a certification's planner read it
    (the task it names; None: none): a certification planned as announced (no death
    standing) is refused (``conflict``) if that changed before it commits - a death
    confirmed meanwhile, and planned again it is held (``hub/procedure/certified_dead.py``).

    Only the closure, one primary-key read in the write: the full
    :class:`~certhub.hub.store.person_guard.PersonGuard` (tasks, roster, reports) would
    refuse a certification for changes that do not touch it."""

    person_id: str
    task_id: str | None = None


@dataclass(frozen=True, slots=True)
class Effects:
    """Everything one message changes besides its own ledger row."""

    item: ItemOpen | None = None
    item_update: ItemUpdate | None = None
    tasks: tuple[TaskWrite, ...] = ()
    roster: RosterWrite | None = None
    outcomes: tuple[HubRecord, ...] = ()
    notices: tuple[NoticeWrite, ...] = ()  # each also queues an "sms" delivery
    outbox: tuple[OutboxWrite, ...] = ()
    overpayments: tuple[OverpaymentWrite, ...] = ()
    audit: tuple[AuditWrite, ...] = ()
    zero_report_guard: ZeroReportGuard | None = None
    months: tuple[MonthsClaim, ...] = ()
    release_months: tuple[str, ...] = ()  # sources whose back-paid months are freed (rejected)
    closure: BenefitClosure | None = None
    closure_lifted: BenefitClosure | None = None  # a voided termination's restoration approved
    evidence_bindings: tuple[EvidenceBinding, ...] = ()
    certified: RegisterCertification | None = None  # the register's; cannot fail
    withdrawn: RegisterWithdrawal | None = None  # a certification's records all withdrawn
    recovery: RecoveryWrite | None = None
    overpayment_change: OverpaymentChange | None = None
    overpayment_extension: OverpaymentExtension | None = None
    overpayment_reductions: tuple[OverpaymentReduction, ...] = ()
    deadlines: tuple[DeadlineWrite, ...] = ()
    biometric: BiometricWrite | None = None
    rating: RatingWrite | None = None
    follow_up: FollowUpWrite | None = None
    person_guard: PersonGuard | None = None  # checked first: what the planner read of a person
    certified_guard: CertifiedGuard | None = None  # a suspension's approval: the register read
    absent: tuple[Unrecorded, ...] = ()  # checked first: records planned on as not there
    closure_read: ClosureRead | None = None  # checked first: an announced certification's

    @property
    def conditional(self) -> bool:
        """Whether any effect can fail a precondition (and so needs a savepoint).

        Opening an item for the new record, upserting the roster, queuing a
        notice and auditing cannot fail; version checks, guards and rows with
        their own unique ids can.
        """
        return bool(
            self.person_guard
            or self.certified_guard
            or self.absent
            or self.closure_read
            or self.withdrawn
            or self.item_update
            or self.tasks
            or self.outcomes
            or self.overpayments
            or self.outbox
            or self.zero_report_guard
            or self.months
            or self.closure
            or self.closure_lifted
            or self.evidence_bindings
            or self.recovery
            or self.overpayment_change
            or self.overpayment_extension
            or self.overpayment_reductions
            or self.deadlines
            or self.rating
            or self.follow_up
        )


NO_EFFECTS = Effects()
