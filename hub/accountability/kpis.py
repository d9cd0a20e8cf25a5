"""The assessment KPIs (考核评价) per village, town, county or city for one month.

The counts come from SQL (:mod:`certhub.hub.store.assessment`); this module
puts each unit's counts side by side and derives the ratios, so every ratio
is computed once, from the counts it is published with. :data:`KPIS` is the
list of figures with their definitions (README's table is checked against it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Final, Protocol

from certhub.hub.rules.compliance import ComplianceStatus, ReportingUnit, compliance, deadline
from certhub.hub.rules.months import first_of_next_month, month_index
from certhub.hub.store.assessment import LEVEL_DIGITS, Row, Scope
from certhub.hub.store.base import AssessmentReads, Reporting
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.security.scopes import in_area


@dataclass(frozen=True, slots=True)
class Kpi:
    """One published figure: its column name and what it means."""

    name: str
    definition: str


KPIS: Final = (
    Kpi("people", "pensioners on the roster, not terminated, in the unit"),
    Kpi("covered", "of them, with a passed certification in the month or the 12 before it"),
    Kpi("coverage", "covered / people"),
    Kpi("never_certified", "people with no passed certification recorded at all"),
    Kpi("overdue", "people whose last passed certification is 13 or more months old"),
    Kpi("overdue_avg_months", "months past the due month, averaged over the overdue"),
    Kpi("records", "certifications of record made in the month (people, not events)"),
    Kpi("records_by_comparison", "of them, by data comparison (免办)"),
    Kpi("mianban_share", "records_by_comparison / records"),
    Kpi("reporting_units", "villages and counties that must report monthly"),
    Kpi("reported_in_time", "units that sent a report or a zero report by the deadline"),
    Kpi("zero_reported_late", "units whose zero report came after the deadline"),
    Kpi("report_compliance", "reported_in_time / reporting_units"),
    Kpi("tasks_resolved", "verification tasks confirmed or cleared in the month"),
    Kpi("task_days_median", "days they took, median (nearest rank)"),
    Kpi("task_days_p90", "days they took, 90th percentile (nearest rank)"),
    Kpi("tasks_overdue", "tasks open past their deadline at the month's end (or now)"),
    Kpi(
        "overpayments",
        "overpayments established in the month, not voided (a voided one followed a"
        " termination its departments withdrew: never owed)",
    ),
    Kpi("overpaid", "their amount, yuan"),
    Kpi("recovered", "recovered of it so far, yuan"),
    Kpi("written_off", "written off of it, yuan"),
    Kpi("recovery_rate", "recovered / overpaid"),
    Kpi("biometric_enrolled", "people with a face, fingerprint or finger-vein model enrolled"),
    Kpi("biometric_coverage", "biometric_enrolled / people"),
    Kpi("ratings", "service ratings given in the month"),
    Kpi("rating_avg", "their average score, 1 to 5"),
    Kpi("bad_ratings", "ratings of 1 or 2"),
    Kpi(
        "follow_ups_late",
        "bad ratings not put right by their deadline, at the month's end (or now)",
    ),
)
"""Every KPI column, in the order of the exports."""

COLUMNS: Final = ("unit", *(k.name for k in KPIS))


def month_bounds(period: str) -> tuple[int, float, float]:
    """``YYYY-MM`` as (month index, start, end): epoch seconds, China Standard Time."""
    year, month = int(period[:4]), int(period[5:7])
    start = datetime(year, month, 1, tzinfo=CHINA_STANDARD_TIME)
    following = datetime.combine(first_of_next_month(start.date()), time(), CHINA_STANDARD_TIME)
    return month_index(start.date()), start.timestamp(), following.timestamp()


class KpiStore(AssessmentReads, Reporting, Protocol):
    """What the KPIs read: the assessment queries and the compliance inputs."""


async def kpis(
    store: KpiStore,
    period: str,
    scope: Scope,
    *,
    units: Sequence[ReportingUnit],
    deadline_day: int,
    now: datetime,
) -> list[dict[str, Any]]:
    """One row per unit (``unit`` ``'all'`` when ``scope.level`` is None), units in order."""
    month, start, end = month_bounds(period)
    people = await store.kpi_people(month, scope)
    records = await store.kpi_records(month, scope)
    at = min(end, now.timestamp())  # "late" is judged at the month's end, or now
    tasks = await store.kpi_tasks(start, end, at, scope)
    money = await store.kpi_money(period, scope)
    ratings = await store.kpi_ratings(start, end, at, scope)
    reported, zero = await store.compliance_inputs(period)
    reports = reporting_figures(
        units,
        reported,
        zero,
        scope=scope,
        due=deadline(period, deadline_day),
        now=now,
    )
    names = people.keys() | records.keys() | tasks.keys() | money.keys() | ratings.keys()
    names |= reports.keys()
    return [
        _row(
            unit,
            (people.get(unit), records.get(unit), tasks.get(unit), money.get(unit)),
            ratings.get(unit),
            reports.get(unit, (0, 0, 0)),
        )
        for unit in sorted(names)
    ]


def _row(
    unit: str,
    sources: tuple[Row | None, Row | None, Row | None, Row | None],
    ratings: Row | None,
    reports: tuple[int, int, int],
) -> dict[str, Any]:
    people, records, tasks, money = sources
    n, covered, never, overdue, overdue_months, enrolled = _ints(people, 6)
    made, by_comparison = _ints(records, 2)
    resolved, median, p90, late_tasks = tasks or (0, None, None, 0)
    overpayments, overpaid, recovered, written_off = _ints(money, 4)
    rated, score_total, bad, late_follow_ups = _ints(ratings, 4)
    units, in_time, zero_late = reports
    return {
        "unit": unit,
        "people": n,
        "covered": covered,
        "coverage": _ratio(covered, n),
        "never_certified": never,
        "overdue": overdue,
        "overdue_avg_months": _ratio(overdue_months, overdue, digits=1),
        "records": made,
        "records_by_comparison": by_comparison,
        "mianban_share": _ratio(by_comparison, made),
        "reporting_units": units,
        "reported_in_time": in_time,
        "zero_reported_late": zero_late,
        "report_compliance": _ratio(in_time, units),
        "tasks_resolved": int(str(resolved)),
        "task_days_median": _days(median),
        "task_days_p90": _days(p90),
        "tasks_overdue": int(str(late_tasks)),
        "overpayments": overpayments,
        "overpaid": f"{overpaid / 100:.2f}",
        "recovered": f"{recovered / 100:.2f}",
        "written_off": f"{written_off / 100:.2f}",
        "recovery_rate": _ratio(recovered, overpaid),
        "biometric_enrolled": enrolled,
        "biometric_coverage": _ratio(enrolled, n),
        "ratings": rated,
        "rating_avg": _ratio(score_total, rated, digits=2),
        "bad_ratings": bad,
        "follow_ups_late": late_follow_ups,
    }


def _ints(row: Row | None, width: int) -> list[int]:
    return [int(str(v)) if v is not None else 0 for v in (row or (0,) * width)]


def _ratio(part: int, whole: int, *, digits: int = 4) -> float | None:
    return None if whole == 0 else round(part / whole, digits)


def _days(seconds: object) -> float | None:
    return None if seconds is None else round(float(str(seconds)) / 86400, 1)


def unit_code(code: str, level: str | None) -> str:
    """The unit a region code belongs to at ``level`` (the same rule as the SQL)."""
    if level is None:
        return "all"
    if level == "city":
        return code[:4] + "00"
    return code[: LEVEL_DIGITS[level]]


def reporting_figures(
    units: Iterable[ReportingUnit],
    reported: set[str],
    zero: Mapping[str, datetime],
    *,
    scope: Scope,
    due: datetime,
    now: datetime,
) -> dict[str, tuple[int, int, int]]:
    """Per unit: reporting units in the area, those in time, zero reports that came late.

    Reporting units are configuration (a few thousand codes), not ledger rows;
    what each of them sent was read in SQL (``compliance_inputs``).
    """
    counts: dict[str, list[int]] = {}
    for row in compliance(list(units), reported=reported, zero_reported=zero, due=due, now=now):
        code = row.unit.code
        if not in_area(scope.area, code[:6], code if len(code) == 12 else None):
            continue
        figures = counts.setdefault(unit_code(code, scope.level), [0, 0, 0])
        figures[0] += 1
        if row.status is not ComplianceStatus.MISSING and not row.late:
            figures[1] += 1
        if row.status is ComplianceStatus.ZERO_REPORTED and row.late:
            figures[2] += 1
    return {u: (a, b, c) for u, (a, b, c) in counts.items()}
