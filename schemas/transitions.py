"""How a verification task moves on, and the provincial roster it is checked against."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator, model_validator

from .common import (
    ActorRef,
    EvidenceRef,
    FreeText,
    Identifier,
    MaskedAccount,
    Message,
    Money,
    Month,
    PersonRef,
    not_ahead_of_clock,
    not_in_future_check,
)
from .enums import BenefitStatus, TaskStatus, VerificationMethod

__all__ = ["BenefitRecord", "TaskTransition"]


class TaskTransition(Message):
    """One step of a verification task (待核实): picked up, confirmed or cleared.

    A confirmation states the confirmed event date (e.g. the date of death) and,
    for imprisonment, the end of the sentence; the hub then disposes of the
    case by its kind (termination or suspension) and computes any overpayment.
    """

    type: Literal["task_transition/v1"] = "task_transition/v1"
    task_id: Identifier
    to_status: Literal[TaskStatus.in_progress, TaskStatus.confirmed, TaskStatus.cleared]
    method: VerificationMethod | None = None
    outcome: FreeText | None = Field(default=None, max_length=1000)
    event_date: Annotated[date, not_in_future_check("event date")] | None = None
    suspend_until: date | None = Field(
        default=None, description="end of a prison sentence; suspension lasts until then"
    )
    evidence: tuple[EvidenceRef, ...] = ()
    actor: ActorRef
    at: AwareDatetime

    @field_validator("at")
    @classmethod
    def _at_not_ahead(cls, value: datetime, info: ValidationInfo) -> datetime:
        # the step's time is when the task was resolved (the timeliness KPIs, the month it
        # counts in): one weeks ahead moved it into a month that had not begun
        return not_ahead_of_clock(value, "at", info)

    @model_validator(mode="after")
    def _resolution_needs_method_and_outcome(self) -> Self:
        if self.to_status is not TaskStatus.in_progress and (
            self.method is None or not (self.outcome and self.outcome.strip())
        ):
            raise ValueError("confirming or clearing a task requires the method and outcome")
        if self.to_status is not TaskStatus.confirmed and self.event_date is not None:
            raise ValueError("event_date belongs to a confirmation only")
        until, start = self.suspend_until, self.event_date
        if until is not None and start is not None and until <= start:
            raise ValueError("suspend_until must be after event_date")
        return self


class BenefitRecord(Message):
    """A pensioner's entry on the provincial roster, as the provincial system sends it.

    The hub needs it to compute overpayments (monthly amount, paid through
    which month) and to check restorations (status, suspension start, bank
    account on file).
    """

    type: Literal["benefit_record/v1"] = "benefit_record/v1"
    person: PersonRef
    status: BenefitStatus
    monthly_amount: Money
    paid_through: Annotated[Month, Field(description="last month paid, YYYY-MM")]
    suspended_since: date | None = None
    bank_account_on_file: Annotated[MaskedAccount, Field(description="masked except the last 4")]
    contact_mobile: Annotated[
        str | None,
        Field(pattern=r"^1[3-9][0-9]{9}$", description="the registered mobile number, for SMS"),
    ] = None
    as_of: AwareDatetime

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        """Yield repr fields with the mobile number masked."""
        for key, value in super().__repr_args__():
            masked = value[:3] + "****" + value[-4:] if key == "contact_mobile" and value else value
            yield key, masked

    @model_validator(mode="after")
    def _suspension_date_when_suspended(self) -> Self:
        if (self.status is BenefitStatus.suspended) != (self.suspended_since is not None):
            raise ValueError("suspended_since is required exactly when status is suspended")
        return self
