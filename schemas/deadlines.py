"""Deadlines on verification tasks: the reminder before and the escalation after.

A verification task (待核实) is to be disposed of within a number of days set
per kind. The hub signs a ``task_deadline/v1`` when a task comes close to its
deadline (``reminder``, to the town handling it) and when the deadline passes
with the task still open (``escalated``, to the county); the provincial system
pulls them with the other outcomes.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import AwareDatetime, model_validator

from .common import Identifier, Message, PersonRef
from .enums import TaskKind

__all__ = ["TaskDeadline"]


class TaskDeadline(Message):
    """A verification task near or past its deadline, as the hub records it."""

    type: Literal["task_deadline/v1"] = "task_deadline/v1"
    task_id: Identifier
    kind: TaskKind
    person: PersonRef
    stage: Literal["reminder", "escalated"]
    addressed_to: Literal["town", "county"]
    opened_at: AwareDatetime
    due_at: AwareDatetime
    at: AwareDatetime

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.due_at <= self.opened_at:
            raise ValueError("due_at must be after opened_at")
        if (self.stage == "escalated") != (self.addressed_to == "county"):
            raise ValueError("a reminder goes to the town, an escalation to the county")
        if self.stage == "escalated" and self.at <= self.due_at:
            raise ValueError("a task is escalated only after its deadline")
        return self
