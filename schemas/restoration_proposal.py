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

The hub also proposes restoring the suspension for non-certification it signed on
an approved register proposal, once a passed certification ends it (the person
proved to be alive): then ``suspension`` names that suspension and the
certification, ``effective_from`` is the suspension's, and the termination's fields
(``task_id``, ``reason``, ``event_date``, ``withdrawn``) are absent. Decided the same
way; the approval signs the ``restoration/v1`` with back pay from the suspension.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from .common import MODEL_CONFIG, FreeText, Identifier, Message, PersonRef
from .enums import SuspensionReason, TaskKind

__all__ = ["CertifiedSince", "RestorationProposal"]

TERMINATION_FIELDS = ("task_id", "reason", "event_date")


class CertifiedSince(BaseModel):
    """The hub's suspension for non-certification a passed certification ended."""

    model_config = MODEL_CONFIG

    suspension: Annotated[Identifier, Field(description="the hub's suspension/v1 (message id)")]
    reason: Literal[SuspensionReason.not_certified]
    certification: Annotated[
        Identifier, Field(description="the passed certification_event/v1 (sender:message id)")
    ]
    certified_on: Annotated[date, Field(description="the day certified (China time)")]


class RestorationProposal(Message):
    """A voided termination proposed for restoration, with the facts that voided it — or
    the hub's suspension for non-certification a certification ended (``suspension``)."""

    type: Literal["restoration_proposal/v1"] = "restoration_proposal/v1"
    person: PersonRef
    task_id: Annotated[
        Identifier | None,
        Field(description="the verification task that terminated (absent: a suspension)"),
    ] = None
    reason: (
        Literal[TaskKind.death, TaskKind.loss_of_nationality, TaskKind.duplicate_receipt] | None
    ) = None
    event_date: date | None = None
    effective_from: Annotated[
        date, Field(description="the day the termination (or the suspension) took effect")
    ]
    withdrawn: Annotated[
        tuple[FreeText, ...],
        Field(
            description="the department records withdrawn (department:record); at least one "
            "for a termination, none for a suspension"
        ),
    ] = ()
    suspension: Annotated[
        CertifiedSince | None,
        Field(
            description="the hub's suspension for non-certification a certification ended "
            "(absent: a voided termination)"
        ),
    ] = None
    proposed_at: AwareDatetime
    remarks: FreeText | None = None

    @model_validator(mode="after")
    def _a_termination_or_a_suspension(self) -> Self:
        stated = [name for name in TERMINATION_FIELDS if getattr(self, name) is not None]
        if self.suspension is not None:
            if stated or self.withdrawn:
                raise ValueError("a suspension's proposal states no termination")
            return self
        if missing := [name for name in TERMINATION_FIELDS if name not in stated]:
            raise ValueError(f"a termination's proposal states {', '.join(missing)}")
        if not self.withdrawn:
            raise ValueError("withdrawn must name at least 1 record of a termination")
        if self.event_date is not None and self.effective_from < self.event_date:
            raise ValueError("effective_from is before event_date")
        return self
