"""Monthly zero reports (零报告) and who has not reported (rule 5).

Each reporting unit — a county or a village — sends, for each month, either
eligibility reports or a zero report, by the deadline day of the next month.
A report counts for the month in which the hub received it; a zero report
for the period it names. A zero report received after the deadline is
marked late.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from certhub.hub.rules.months import first_of_next_month, parse_month
from certhub.schemas import SCHEME_START, Refusal
from certhub.schemas.clock import CHINA_STANDARD_TIME


class ComplianceStatus(StrEnum):
    """A unit's status for one period."""

    REPORTED = "reported"
    ZERO_REPORTED = "zero_reported"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class ReportingUnit:
    """A region that must report monthly: a 6-digit county or 12-digit village code."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class UnitCompliance:
    """One unit's compliance for one period."""

    unit: ReportingUnit
    status: ComplianceStatus
    late: bool
    overdue: bool


def deadline(period: str, deadline_day: int) -> datetime:
    """The end of the deadline day in the month after ``period`` (China Standard Time)."""
    next_month = first_of_next_month(parse_month(period))
    day = next_month.replace(day=deadline_day)
    return datetime.combine(day, time.max, tzinfo=CHINA_STANDARD_TIME)


def check_period(period: str, today: date) -> None:
    """Refuse a malformed or future period, or one before the scheme began (a trend's
    12 months back from year 1 reached year 0: 500)."""
    try:
        start = parse_month(period)
    except ValueError as exc:
        raise Refusal("invalid-period", "period must be YYYY-MM") from exc
    if len(period) != 7 or start > today:
        raise Refusal("invalid-period", "period must be YYYY-MM and not in the future")
    if start < SCHEME_START.replace(day=1):
        raise Refusal("invalid-period", f"period must be {SCHEME_START:%Y-%m} or later")


def compliance(
    units: Iterable[ReportingUnit],
    *,
    reported: set[str],
    zero_reported: Mapping[str, datetime],
    due: datetime,
    now: datetime,
) -> list[UnitCompliance]:
    """Each unit's status, given the unit codes that reported and zero reports' times."""
    result = []
    for unit in units:
        if unit.code in reported:
            status, late = ComplianceStatus.REPORTED, False
        elif unit.code in zero_reported:
            status, late = ComplianceStatus.ZERO_REPORTED, zero_reported[unit.code] > due
        else:
            status, late = ComplianceStatus.MISSING, False
        overdue = status is ComplianceStatus.MISSING and now > due
        result.append(UnitCompliance(unit, status, late, overdue))
    return result
