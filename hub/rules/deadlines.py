"""Deadlines of verification tasks: how long each kind may stay open, and what is due when.

A task is to be disposed of (confirmed or cleared) within a number of
calendar days counted from the moment it opened, set per kind by
``CERTHUB_TASK_DEADLINE_DAYS``. ``CERTHUB_TASK_REMINDER_DAYS`` before the
deadline the town is reminded; once the deadline has passed with the task
still open it is escalated to the county. Each happens once per task.

A report of loss of eligibility under review (filed, or accepted by the town) is
to be decided within ``CERTHUB_REPORT_REVIEW_DAYS`` calendar days of its filing:
the level that must decide it next is reminded, then the level above it is told
once the deadline has passed (:func:`report_addressee`) — never the report
decided: the hub only tells.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Final, Literal, Protocol

from certhub.schemas import Message, PersonRef, TaskKind

DEFAULT_DEADLINE_DAYS: Final[Mapping[str, int]] = MappingProxyType(
    {
        TaskKind.death.value: 30,
        TaskKind.imprisonment.value: 30,
        TaskKind.duplicate_receipt.value: 30,
        TaskKind.missing.value: 60,
        TaskKind.loss_of_nationality.value: 60,
    }
)
"""Days to dispose of a task by kind: a death or a prison record can be checked with one
department; a missing person or a loss of nationality takes longer to establish."""

REPORT_REVIEW_DAYS: Final = 15
"""Days to decide a report of loss of eligibility (the town's acceptance and the county's
decision together): while it is undecided the person's restorations and 免办 are held."""

Stage = Literal["reminder", "escalated"]
Level = Literal["town", "county", "city"]
Subject = Literal["task", "report"]


@dataclass(frozen=True, slots=True)
class Due:
    """A reminder or an escalation to record: of which ``subject`` (a task, or a report
    under review by its item), its ``key``, the signed ``notice``, and whom it is about."""

    subject: Subject
    key: str
    stage: Stage
    notice: Message
    person: PersonRef
    reason: str


def due_at(opened_at: datetime, kind: str, days: Mapping[str, int]) -> datetime:
    """When a task of ``kind`` opened at ``opened_at`` is due."""
    return opened_at + timedelta(days=days.get(kind, DEFAULT_DEADLINE_DAYS[kind]))


def stage_due(
    due: datetime,
    now: datetime,
    *,
    reminder_days: int,
    reminded: bool,
    escalated: bool,
) -> Stage | None:
    """What the task needs at ``now``: an escalation (past due), a reminder (due soon), or none.

    A task past due that was never reminded is escalated, not reminded late.
    """
    if now > due:
        return None if escalated else "escalated"
    if not reminded and now >= due - timedelta(days=reminder_days):
        return "reminder"
    return None


class Marks(Protocol):
    """A deadline's marks as stored: when it was reminded and escalated (epoch seconds)."""

    @property
    def reminded_at(self) -> float | None:
        """When the reminder was recorded, if it was."""
        ...

    @property
    def escalated_at(self) -> float | None:
        """When the escalation was recorded, if it was."""
        ...


def stage_of(due: datetime, now: datetime, marks: Marks, *, reminder_days: int) -> Stage | None:
    """:func:`stage_due` of a deadline with the stored ``marks``."""
    return stage_due(
        due,
        now,
        reminder_days=reminder_days,
        reminded=marks.reminded_at is not None,
        escalated=marks.escalated_at is not None,
    )


def report_addressee(stage: Stage, status: str) -> Level:
    """Whom a report's ``stage`` goes to while it stands at ``status``: a reminder to the
    level that decides next (the town accepts a ``received`` report, the county decides an
    ``accepted`` one), an escalation to the level above that one."""
    if status == "received":
        return "town" if stage == "reminder" else "county"
    return "county" if stage == "reminder" else "city"
