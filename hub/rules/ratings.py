"""Service evaluation rules: what can be rated, by whom, and when a bad rating is due fixed.

* A rating is of one service event: a passed certification, or a report the
  office handled. It is given once (the ledger refuses a second).
* A channel's app rates only what came through that channel, and never before the
  service took place (within the clock skew).
* A score of 1 or 2 opens a follow-up for the town, due at the end of the 15th
  working day after the rating (China Standard Time; Saturdays and Sundays
  are not working days — public holidays are not known to the hub, so the
  deadline errs on the early side by the holidays in between).
* Town staff or the county record what they did: a call-back, a visit, the fix —
  never before the rating was given (within the clock skew).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Final, Literal

from certhub.schemas import (
    CLOCK_SKEW,
    CertificationEvent,
    EligibilityReport,
    PersonRef,
    Refusal,
    Role,
)
from certhub.schemas.clock import CHINA_STANDARD_TIME

FOLLOW_UP_BELOW: Final = 3
"""Scores below this (1 and 2) are bad ratings that the town follows up."""

FOLLOW_UP_WORKING_DAYS: Final = 15
FOLLOW_UP_ROLES: Final = frozenset({Role.town_staff, Role.county_reviewer})

ServiceKind = Literal["certification", "report"]


def working_days_after(start: date, days: int) -> date:
    """The ``days``-th working day (Monday to Friday) after ``start``."""
    current = start
    counted = 0
    while counted < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            counted += 1
    return current


def follow_up_due(rated_at: datetime) -> datetime | None:
    """When a bad rating's follow-up is due: the end of the 15th working day after it."""
    day = rated_at.astimezone(CHINA_STANDARD_TIME).date()
    due = working_days_after(day, FOLLOW_UP_WORKING_DAYS)
    return datetime.combine(due, time(23, 59, 59), CHINA_STANDARD_TIME)


def needs_follow_up(score: int) -> bool:
    """Whether a rating of ``score`` opens a follow-up."""
    return score < FOLLOW_UP_BELOW


def rated_service(payload: object) -> tuple[ServiceKind, str, PersonRef]:
    """The kind of service a record is, its area (village, else county) and whose it is,
    or a refusal."""
    if isinstance(payload, CertificationEvent) and payload.outcome.value == "certified":
        region = payload.person.region
        return "certification", region.village or region.county, payload.person
    if isinstance(payload, EligibilityReport):
        area = payload.region.village or payload.region.county
        return "report", area, payload.person
    raise Refusal("rating-not-ratable", "only a passed certification or a handled report is rated")


def check_channel_rates_its_own(service_sender: str, rating_sender: str) -> None:
    """A channel's app rates only the services that came through that channel."""
    if service_sender != rating_sender:
        raise Refusal(
            "rating-not-ratable", "a channel rates only the services that came through it"
        )


def check_follow_up_role(role: Role) -> None:
    """Only town staff and the county follow up bad ratings."""
    if role not in FOLLOW_UP_ROLES:
        raise Refusal("role-not-permitted", f"role {role.value!r} may not follow up ratings")


def check_follow_up_after_rating(rated_at: float, at: datetime) -> None:
    """A follow-up step is dated after its rating (``rated_at``, epoch seconds), as a task's
    step is after the task opened: one put right before the complaint existed closed it
    before its deadline, whenever it was really done (``follow_ups_late``)."""
    if at.timestamp() < rated_at - CLOCK_SKEW.total_seconds():
        raise Refusal(
            "rating-follow-up-invalid",
            f"the step is dated {at.isoformat()}, before the rating was given",
        )


def check_rated_after_service(rated_at: datetime, service_at: datetime) -> None:
    """A rating is given after the service it rates (a certification's time, a report's
    receipt): one dated before it counted in a month already closed, its follow-up due
    before anyone could know of it."""
    if rated_at < service_at - CLOCK_SKEW:
        raise Refusal(
            "rating-not-ratable",
            f"rated at {rated_at.isoformat()}, before the service ({service_at.isoformat()})",
        )
