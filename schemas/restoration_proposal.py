"""A proposal to restore a benefit the hub terminated on records their departments voided.

When a department withdraws (voids) every record a confirmed death, loss of
nationality or duplicate receipt rested on, and no person's report stands
behind it, the hub's termination is *voided*: a living pensioner was wrongly
registered as dead. The hub then opens this proposal as an item under
review: town staff accept it, the county (the municipal approver once the
termination is more than a year old) approves or rejects it; only an approval
makes the hub lift its termination and sign the ``restoration/v1`` (back pay
for the months unpaid) and the refund of what was recovered as overpayment.
Consumers must not act on the proposal.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from .common import FreeText, Identifier, Message, PersonRef
from .enums import TaskKind

__all__ = ["RestorationProposal"]


class RestorationProposal(Message):
    """A voided termination proposed for restoration, with the facts that voided it."""

    type: Literal["restoration_proposal/v1"] = "restoration_proposal/v1"
    person: PersonRef
    task_id: Annotated[Identifier, Field(description="the verification task that terminated")]
    reason: Literal[TaskKind.death, TaskKind.loss_of_nationality, TaskKind.duplicate_receipt]
    event_date: date
    effective_from: Annotated[date, Field(description="the day the termination took effect")]
    withdrawn: Annotated[
        tuple[FreeText, ...],
        Field(min_length=1, description="the department records withdrawn (department:record)"),
    ]
    proposed_at: AwareDatetime
    remarks: FreeText | None = None

    @model_validator(mode="after")
    def _effective_after_the_event(self) -> Self:
        if self.effective_from < self.event_date:
            raise ValueError("effective_from is before event_date")
        return self
