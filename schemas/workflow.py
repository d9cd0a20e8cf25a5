"""Workflow messages: decisions, verification tasks and benefit status changes.

Models check shape and internal consistency only. Business rules (separation
of duties, municipal approval after more than 365 days suspended, amount =
months × monthly amount, bank-account consistency) are hub workflow functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from .common import (
    ActorRef,
    EvidenceRef,
    FreeText,
    Identifier,
    MaskedAccount,
    Message,
    Money,
    PersonRef,
    blank,
    not_in_future_check,
    other_needs_remarks,
)
from .enums import (
    DecisionAction,
    RecoveryStatus,
    SuspensionReason,
    TaskDisposal,
    TaskKind,
    TaskStatus,
)

__all__ = [
    "Decision",
    "Overpayment",
    "Restoration",
    "Suspension",
    "Termination",
    "VerificationTask",
]


class Decision(Message):
    """Accept (受理), approve or reject (审核) a subject such as a report or restoration."""

    type: Literal["decision/v1"] = "decision/v1"
    subject_id: Identifier
    action: DecisionAction
    actor: ActorRef
    reasons: tuple[FreeText, ...] = ()
    decided_at: AwareDatetime

    @model_validator(mode="after")
    def _reject_needs_reason(self) -> Self:
        if self.action is DecisionAction.reject and all(blank(r) for r in self.reasons):
            raise ValueError("a rejection requires at least one reason")
        return self


class VerificationTask(Message):
    """A suspicion to verify one by one (待核实), from comparison or reports."""

    type: Literal["verification_task/v1"] = "verification_task/v1"
    task_id: Identifier
    person: PersonRef
    kind: TaskKind
    status: TaskStatus = TaskStatus.open
    sources: tuple[Identifier, ...] = Field(
        default=(), description="ids of the reports or comparison records that raised it"
    )
    evidence: tuple[EvidenceRef, ...] = ()
    opened_at: AwareDatetime
    assignee: ActorRef | None = None
    resolved_at: AwareDatetime | None = None
    disposal: TaskDisposal | None = None
    remarks: FreeText | None = None

    @model_validator(mode="after")
    def _status_consistent(self) -> Self:
        resolved = self.status in (TaskStatus.confirmed, TaskStatus.cleared)
        if resolved != (self.resolved_at is not None):
            raise ValueError("resolved_at is required exactly when confirmed or cleared")
        if (self.status is TaskStatus.confirmed) != (self.disposal is not None):
            raise ValueError("disposal is required exactly when confirmed")
        if self.resolved_at is not None and self.resolved_at < self.opened_at:
            raise ValueError("resolved_at is before opened_at")
        return self


class Suspension(Message):
    """Benefit payment suspended (暂停发放) from a date."""

    type: Literal["suspension/v1"] = "suspension/v1"
    person: PersonRef
    reason: SuspensionReason
    effective_from: date
    task_id: Identifier | None = None
    decided_by: ActorRef
    decided_at: AwareDatetime
    remarks: FreeText | None = None

    _other_needs_remarks = model_validator(mode="after")(other_needs_remarks)


class Termination(Message):
    """Benefit terminated (终止) for death, loss of nationality or duplicate entitlement."""

    type: Literal["termination/v1"] = "termination/v1"
    person: PersonRef
    reason: Literal[TaskKind.death, TaskKind.loss_of_nationality, TaskKind.duplicate_receipt]
    event_date: Annotated[date, not_in_future_check("event date")]
    effective_from: date
    family_notified: bool = Field(
        description="family told about one-time payments (funeral grant, account balance)"
    )
    task_id: Identifier | None = None
    decided_by: ActorRef
    decided_at: AwareDatetime
    remarks: FreeText | None = None


class Overpayment(Message):
    """Benefit paid after eligibility ended, and how far it has been recovered."""

    type: Literal["overpayment/v1"] = "overpayment/v1"
    person: PersonRef
    task_id: Identifier | None = None
    period_from: date
    period_to: date
    months: Annotated[int, Field(ge=1, le=1200)]
    monthly_amount: Money
    amount: Money
    recovered_amount: Money = Decimal("0.00")
    recovery_status: RecoveryStatus = RecoveryStatus.pending
    remarks: FreeText | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.period_from > self.period_to:
            raise ValueError("period_from is after period_to")
        if self.recovered_amount > self.amount:
            raise ValueError("recovered_amount exceeds amount")
        status, got = self.recovery_status, self.recovered_amount
        if status is RecoveryStatus.pending and got != 0:
            raise ValueError("pending recovery must have recovered_amount 0")
        if status is RecoveryStatus.partially_recovered and not 0 < got < self.amount:
            raise ValueError("partial recovery must be between 0 and amount")
        if status is RecoveryStatus.recovered and got != self.amount:
            raise ValueError("recovered status requires recovered_amount == amount")
        return self


class Restoration(Message):
    """Benefit restored (恢复发放) after suspension, with back pay and bank account.

    ``repr`` masks the bank account as it masks ID numbers.
    """

    type: Literal["restoration/v1"] = "restoration/v1"
    person: PersonRef
    suspended_since: date
    restore_from: date
    back_pay_from: date
    back_pay_to: date
    monthly_amount: Money
    back_pay_amount: Money
    bank_account: Annotated[
        str | None,
        Field(
            pattern=r"^[0-9]{8,32}$",
            description="the account to pay, in full; absent: the account on file, unchanged "
            "(a restoration the hub signs on a voided termination knows only the masked one)",
        ),
    ] = None
    bank_account_on_file: Annotated[
        MaskedAccount,
        Field(description="account on file, masked except at least its last 4 digits"),
    ]
    account_change_evidence: EvidenceRef | None = None
    released_on: Annotated[
        date | None,
        Field(
            description="after an imprisonment the hub suspended: the day the person was "
            "released (the sentence's actual end), stated with release_evidence; the hub "
            "then pays no month from the one after the imprisonment's through this one's"
        ),
    ] = None
    release_evidence: EvidenceRef | None = None
    requested_by: ActorRef
    requested_at: AwareDatetime
    approvals: tuple[ActorRef, ...] = ()
    remarks: FreeText | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.suspended_since > self.restore_from:
            raise ValueError("restore_from is before suspended_since")
        if self.released_on is not None and self.release_evidence is None:
            raise ValueError("released_on needs its release_evidence")
        if self.released_on is None and self.release_evidence is not None:
            raise ValueError("release_evidence needs the released_on it proves")
        if self.back_pay_from > self.back_pay_to:
            raise ValueError("back_pay_from is after back_pay_to")
        if self.bank_account is None and self.account_change_evidence is not None:
            raise ValueError("account_change_evidence needs the new bank_account")
        ids = [actor.id for actor in self.approvals]
        if len(ids) != len(set(ids)):
            raise ValueError("the same actor appears twice in approvals")
        return self

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        """Yield repr fields with the bank account masked to its last 4 digits."""
        for key, value in super().__repr_args__():
            account = key == "bank_account" and value is not None
            masked = "*" * (len(value) - 4) + value[-4:] if account else value
            yield key, masked
