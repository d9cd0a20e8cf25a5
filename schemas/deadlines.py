"""Deadlines on verification tasks and on reports under review: the reminder before and
the escalation after.

A verification task (待核实) is to be disposed of within a number of days set
per kind. The hub signs a ``task_deadline/v1`` when a task comes close to its
deadline (``reminder``, to the town handling it) and when the deadline passes
with the task still open (``escalated``, to the county); the provincial system
pulls them with the other outcomes. A report of loss of eligibility is to be
decided (accepted by the town, approved or rejected by the county) within a
number of days of its filing: ``report_deadline/v1`` reminds the level that
must decide it next and escalates to the level above.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import AwareDatetime, model_validator

from .common import Identifier, Message, PersonRef
from .enums import ReportReason, TaskKind

__all__ = ["ReportDeadline", "TaskDeadline"]

_LEVEL_ABOVE = {"town": "county", "county": "city"}

Stage = Literal["reminder", "escalated"]
"""A deadline notice: a reminder before the deadline, an escalation after it."""


class TaskDeadline(Message):
    """A verification task near or past its deadline, as the hub records it."""

    type: Literal["task_deadline/v1"] = "task_deadline/v1"
    task_id: Identifier
    kind: TaskKind
    person: PersonRef
    stage: Stage
    addressed_to: Literal["town", "county"]
    opened_at: AwareDatetime
    due_at: AwareDatetime
    at: AwareDatetime

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        # the town disposes of a task: reminded itself, escalated to the county
        _check_notice(
            self.opened_at, self.due_at, self.stage, self.at, to=self.addressed_to, deciding="town"
        )
        return self


class ReportDeadline(Message):
    """A report of loss of eligibility still under review near or past its deadline.

    ``item`` is the report's ledger sequence; ``status`` where it stands (``received``:
    the town must accept it; ``accepted``: the county must approve or reject it). A
    reminder goes to that level, an escalation to the level above it.
    """

    type: Literal["report_deadline/v1"] = "report_deadline/v1"
    item: Identifier
    reason: ReportReason
    person: PersonRef
    status: Literal["received", "accepted"]
    stage: Stage
    addressed_to: Literal["town", "county", "city"]
    filed_at: AwareDatetime
    due_at: AwareDatetime
    at: AwareDatetime

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        deciding = "town" if self.status == "received" else "county"
        _check_notice(
            self.filed_at, self.due_at, self.stage, self.at, to=self.addressed_to, deciding=deciding
        )
        return self


def _check_notice(
    since: datetime, due: datetime, stage: Stage, at: datetime, *, to: str, deciding: str
) -> None:
    """Refuse a deadline not after its start, an escalation not after its deadline, or a
    notice sent ``to`` another level than the one ``deciding`` (a reminder) or the one above
    it (an escalation)."""
    if due <= since:
        raise ValueError("due_at must be after the moment the deadline runs from")
    if stage == "escalated" and at <= due:
        raise ValueError("an escalation comes only after the deadline")
    expected = deciding if stage == "reminder" else _LEVEL_ABOVE[deciding]
    if to != expected:
        raise ValueError(
            "a reminder goes to the level that decides next, an escalation to the one above"
        )
