"""Deadlines of verification tasks: how long each kind may stay open, and what is due when.

A task is to be disposed of (confirmed or cleared) within a number of
calendar days counted from the moment it opened, set per kind by
``CERTHUB_TASK_DEADLINE_DAYS``. ``CERTHUB_TASK_REMINDER_DAYS`` before the
deadline the town is reminded; once the deadline has passed with the task
still open it is escalated to the county. Each happens once per task.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Final, Literal

from certhub.schemas import TaskKind

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

Stage = Literal["reminder", "escalated"]


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
