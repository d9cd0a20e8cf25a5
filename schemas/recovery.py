"""Recovery of overpayments (多发待遇追回): money recovered, and write-offs under review.

An overpayment is established by the hub when a verification task is
confirmed (``overpayment/v1``, signed by the hub). County staff then record
each sum recovered against it with a signed ``recovery/v1``; what cannot be
recovered is written off only through a ``write_off/v1`` request that goes
through the two-level review like any other item. The hub feeds the progress
back upwards as re-signed ``overpayment/v1`` records (逐级反馈).

Models check shape only; whether a sum fits what remains, and who may record
it, are hub rules.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from .common import ActorRef, FreeText, Identifier, Message, Money, blank, not_in_future_check
from .enums import RecoverySource

__all__ = ["OverpaymentRecovery", "WriteOffRequest"]


class OverpaymentRecovery(Message):
    """One sum recovered against the overpayment of verification task ``task_id``."""

    type: Literal["recovery/v1"] = "recovery/v1"
    task_id: Identifier
    amount: Annotated[Money, Field(gt=Decimal(0))]
    source: RecoverySource
    recovered_on: Annotated[date, not_in_future_check("recovered_on")]
    reference: Identifier | None = Field(
        default=None, description="the bank's serial or the receipt number, when there is one"
    )
    actor: ActorRef
    at: AwareDatetime
    remarks: FreeText | None = None

    @model_validator(mode="after")
    def _other_needs_remarks(self) -> Self:
        if self.source is RecoverySource.other and blank(self.remarks):
            raise ValueError("source 'other' requires remarks")
        return self


class WriteOffRequest(Message):
    """A request to write off what remains of an overpayment (核销), for two-level review."""

    type: Literal["write_off/v1"] = "write_off/v1"
    task_id: Identifier
    amount: Annotated[Money, Field(gt=Decimal(0))] = Field(
        description="what remains to be recovered, exactly; a later recovery voids the request"
    )
    reason: FreeText
    actor: ActorRef
    at: AwareDatetime

    @model_validator(mode="after")
    def _reason_required(self) -> Self:
        if blank(self.reason):
            raise ValueError("a write-off states its reason")
        return self
