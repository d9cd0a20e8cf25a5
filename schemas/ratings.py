"""Service evaluation (好差评): a pensioner rates a service, a bad rating is followed up.

A pensioner or their family rates one service event — a certification, or a
report the office handled — once, from the link in the SMS the hub sent or
in a channel's app; a rating of 1 or 2 opens a follow-up for the town, who
calls back, visits and puts things right within 15 working days.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, Field, ValidationInfo

from .common import ActorRef, FreeText, Message, not_ahead_of_clock

__all__ = ["RatingFollowUp", "ServiceRating"]

Score = Annotated[int, Field(ge=1, le=5, description="1 very dissatisfied … 5 very satisfied")]


def _not_ahead(value: datetime, info: ValidationInfo) -> datetime:
    return not_ahead_of_clock(value, str(info.field_name), info)


Moment = Annotated[AwareDatetime, AfterValidator(_not_ahead)]
"""When a rating was given or a follow-up step taken: the month it counts in and the
follow-up's deadline (the ratings KPIs), so never ahead of the hub's clock."""


class ServiceRating(Message):
    """One rating of one service event (the ledger record of a certification or report)."""

    type: Literal["service_rating/v1"] = "service_rating/v1"
    service_record: Annotated[int, Field(ge=1, description="the rated record's ledger sequence")]
    score: Score
    rater: Literal["pensioner", "family"]
    comment: Annotated[FreeText, Field(max_length=500)] | None = None
    rated_at: Moment


class RatingFollowUp(Message):
    """What the town did about a bad rating: a phone call-back, a visit, the fix."""

    type: Literal["rating_followup/v1"] = "rating_followup/v1"
    rating_id: Annotated[int, Field(ge=1, description="the rating's ledger sequence")]
    action: Literal["callback", "visit", "rectified"]
    outcome: FreeText
    actor: ActorRef
    at: Moment
