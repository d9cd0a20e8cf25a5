"""The ledger's accountability side: its rows and its read roles (recovery of overpayments,
task deadlines, biometric enrolments, ratings, the assessment and the public disclosure).

Kept beside :mod:`certhub.hub.store.base` (which composes these roles into
``LedgerStore``) so each module stays small; the SQL is in
:mod:`certhub.hub.store.queries`, :mod:`~certhub.hub.store.assessment` and
:mod:`~certhub.hub.store.disclosure`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from certhub.security.scopes import AreaScope

if TYPE_CHECKING:
    from certhub.hub.store.assessment import Row, Scope

Cursor = TypeVar("Cursor", int, str)


@dataclass(frozen=True, slots=True)
class PageQuery(Generic[Cursor]):
    """One page of a reader's list: at most ``limit`` rows after cursor ``after`` (a key or a
    sequence), of the region-code prefix ``region`` (None: any), inside ``area`` (None: all).

    What each list filters on besides is its own argument; how a region or an area
    maps onto a list's columns is its query's.
    """

    after: Cursor
    limit: int
    region: str | None = None
    area: AreaScope | None = None


Condition = tuple[str, tuple[object, ...]]
"""A SQL condition with ``?`` placeholders and its parameters: what a list's query adds to
its :class:`PageQuery` (``None`` where a filter was not given)."""


@dataclass(frozen=True, slots=True)
class OverpaymentRow:
    """A task's overpayment: the amount, what was recovered, and a write-off under review."""

    task_id: str
    person_id: str
    county: str
    period: str
    months: int
    amount_cents: int
    recovered_cents: int
    status: str
    write_off_item: int | None


@dataclass(frozen=True, slots=True)
class RecoveryRow:
    """One sum recovered against an overpayment; ``sequence`` is its ledger record."""

    sequence: int
    amount_cents: int
    source: str
    recovered_on: str
    reference: str | None


@dataclass(frozen=True, slots=True)
class BiometricRow:
    """The latest status a channel reported for one of a person's biometric models."""

    modality: str
    status: str
    occurred_at: str
    channel: str
    sequence: int
    area: str  # the person's village, else county, as the channel reported it


@dataclass(frozen=True, slots=True)
class RatingRow:
    """A rating and, for a bad one, its follow-up (times are epoch seconds)."""

    rating: int
    service_record: int
    service_kind: str
    score: int
    rater: str
    via: str
    area: str
    rated_at: float
    follow_up_due: float | None
    called_back_at: float | None
    visited_at: float | None
    rectified_at: float | None
    outcome: str | None


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    """A task's deadline state; times are epoch seconds."""

    task_id: str
    kind: str
    county: str
    village: str | None
    opened_at: float
    due_at: float
    resolved_at: float | None
    reminded_at: float | None
    escalated_at: float | None


class RecoveryReads(Protocol):
    """Overpayments and what has been recovered of them."""

    async def get_overpayment(self, task_id: str) -> OverpaymentRow | None:
        """The overpayment of a verification task and its recovery balance, if any."""
        ...

    async def list_recoveries(self, task_id: str) -> list[RecoveryRow]:
        """The sums recovered against a task's overpayment, in ledger order."""
        ...

    async def list_overpayments(
        self, page: PageQuery[str], *, status: str | None = None
    ) -> list[OverpaymentRow]:
        """Overpayments by task id, optionally by status (an overpayment is the county's:
        a village area sees none)."""
        ...


class AccountabilityReads(Protocol):
    """Who must act or can act: task deadlines, biometric enrolments, ratings to follow up."""

    async def deadlines_due(
        self, *, remind_from: float, now: float, limit: int
    ) -> list[DeadlineRow]:
        """Open tasks due a reminder (due by ``remind_from``) or an escalation (due before
        ``now``) they have not had, soonest due first."""
        ...

    async def list_deadlines(
        self, page: PageQuery[str], *, overdue_at: float | None = None
    ) -> list[DeadlineRow]:
        """Open tasks' deadlines by task id (only those overdue at ``overdue_at`` when
        given)."""
        ...

    async def get_biometrics(self, person_id: str) -> list[BiometricRow]:
        """The person's biometric models as the channels last reported them."""
        ...

    async def failed_face_attempts(self, person_id: str) -> int:
        """Failed face certifications of the person since their last passed certification."""
        ...

    async def get_rating(self, rating: int) -> RatingRow | None:
        """A rating by its ledger record, with its follow-up."""
        ...

    async def list_ratings(
        self, *, open_follow_ups: bool, after: int, limit: int, area: AreaScope | None = None
    ) -> list[RatingRow]:
        """Ratings after ``after`` (only those with an open follow-up when asked), inside
        ``area``."""
        ...


class AssessmentReads(Protocol):
    """The assessment figures by unit (:mod:`certhub.hub.store.assessment`), in SQL."""

    async def kpi_people(self, month: int, scope: Scope) -> dict[str, Row]:
        """People on the roster: covered, never certified, overdue, months overdue, enrolled."""
        ...

    async def kpi_records(self, month: int, scope: Scope) -> dict[str, Row]:
        """Certifications of record in the month, and those by data comparison."""
        ...

    async def kpi_tasks(self, start: float, end: float, at: float, scope: Scope) -> dict[str, Row]:
        """Tasks resolved, median and p90 seconds, overdue at ``at``."""
        ...

    async def kpi_money(self, period: str, scope: Scope) -> dict[str, Row]:
        """Overpayments of the month: count, cents overpaid, recovered, written off."""
        ...

    async def kpi_ratings(
        self, start: float, end: float, at: float, scope: Scope
    ) -> dict[str, Row]:
        """Ratings of the month: count, score total, bad ones, follow-ups late at ``at``."""
        ...

    async def disclosure_counts(
        self, month: int, period: str, start: float, end: float
    ) -> dict[tuple[str, str], int]:
        """(county, measure) → count of the month, for the public disclosure."""
        ...
