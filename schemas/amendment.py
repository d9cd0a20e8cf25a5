"""An amendment moving a confirmed death earlier, opened by the hub for people to decide.

A record about a person whose death the hub confirmed (a department's direct
evidence through the comparison, or an approved local report) may date the death
in an earlier month than the termination in force. The hub does not act on it
alone: it signs this amendment and opens it as an item under review — town
staff accept it, the county approves or rejects it. Only the approval moves the
termination's date (a new ``termination/v1`` of the same task) and makes the
months paid between the two dates an overpayment. Consumers must not act on the
amendment itself.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from .common import MODEL_CONFIG, FreeText, Identifier, Message, PersonRef
from .enums import TaskKind

__all__ = ["AmendmentRecord", "TerminationAmendment"]


class AmendmentRecord(BaseModel):
    """The record an amendment rests on, named as the terminating task names its sources.

    Approved, the termination in force rests on it as well: a person's report is never
    voided by a department, the comparison's report is once every record it cites is
    withdrawn.
    """

    model_config = MODEL_CONFIG

    kind: Annotated[
        Literal["report", "machine_report"],
        Field(description="a person's report (its review item) or the comparison's report"),
    ]
    id: Annotated[
        Identifier, Field(description="the report's item id, or the comparison's message id")
    ]


class TerminationAmendment(Message):
    """A confirmed death dated earlier by a later record: the dates, and the record."""

    type: Literal["termination_amendment/v1"] = "termination_amendment/v1"
    person: PersonRef
    task_id: Annotated[Identifier, Field(description="the verification task that terminated")]
    reason: Literal[TaskKind.death]
    event_date: Annotated[date, Field(description="the death date of the termination in force")]
    amended_event_date: Annotated[date, Field(description="the earlier date the record gives")]
    source: Annotated[FreeText, Field(description="the record, in words: for people to read")]
    rests_on: Annotated[
        AmendmentRecord | None,
        Field(description="the record, for the hub to read (absent: signed before it was added)"),
    ] = None
    proposed_at: AwareDatetime
    remarks: FreeText | None = None

    @model_validator(mode="after")
    def _an_earlier_month(self) -> Self:
        earlier = (self.amended_event_date.year, self.amended_event_date.month)
        if earlier >= (self.event_date.year, self.event_date.month):
            raise ValueError("amended_event_date is not in a month before event_date")
        return self
