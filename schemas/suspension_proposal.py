"""A proposal to suspend an overdue pensioner's benefit (逾期未认证): never a suspension itself.

The hub's certification register proposes it when a pensioner's due month
has passed without a passed certification and the day they become liable to
suspension has come. It is an item under review like any other: town staff
accept it, the county approves or rejects it; only an approval makes the hub
sign the ``suspension/v1`` (reason ``not_certified``). Consumers must not act
on the proposal.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from .common import FreeText, Message, Month, PersonRef

__all__ = ["SuspensionProposal"]


class SuspensionProposal(Message):
    """An overdue pensioner proposed for suspension, with the facts the register holds."""

    type: Literal["suspension_proposal/v1"] = "suspension_proposal/v1"
    person: PersonRef
    due_month: Annotated[Month, Field(description="the cycle's last month")]
    liable_from: date
    last_certified_on: date | None = None
    last_certification_sequence: int | None = Field(default=None, ge=1)
    proposed_at: AwareDatetime
    remarks: FreeText | None = None

    @model_validator(mode="after")
    def _liable_after_the_due_month(self) -> Self:
        year, month = (int(part) for part in self.due_month.split("-"))
        if (self.liable_from.year, self.liable_from.month) <= (year, month):
            raise ValueError("liable_from must be after the due month")
        if self.last_certified_on is not None and self.last_certified_on >= self.liable_from:
            raise ValueError("a certification on or after liable_from leaves nothing to propose")
        return self
