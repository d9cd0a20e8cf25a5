"""The assessment figures (考核评价) computed in SQL over the ledger and the register.

Every figure is grouped by *unit*: the leading digits of a record's region
code at the asked level (city ``4453`` + ``00``, county 6 digits, town 9,
village 12), or ``'all'`` for the whole area. A record known only to its
county (an overpayment, a county-level report) counts under the county code
at the town and village levels. Nothing here loops over rows in Python: each
method is one query that returns one row per unit.

Month ``p`` is a month index (``year * 12 + month - 1``, as in the register);
``start``/``end`` are the month's bounds in epoch seconds, China Standard Time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from certhub.hub.store.register_reads import TERMINATED
from certhub.hub.store.sql_transport import SqlReads
from certhub.security.scopes import AreaScope, area_condition

Row = tuple[object, ...]

LEVEL_DIGITS: Final = {"city": 4, "county": 6, "town": 9, "village": 12}


def unit_of(column: str, level: str | None) -> str:
    """The SQL expression of a code column's unit at ``level`` (None: one unit, ``'all'``)."""
    if level is None:
        return "'all'"
    digits = LEVEL_DIGITS[level]
    if level == "city":
        return f"substr({column}, 1, 4) || '00'"
    return f"substr({column}, 1, {digits})"


@dataclass(frozen=True, slots=True)
class Scope:
    """Which units a query groups by and which records it may see."""

    level: str | None  # None: the area as one unit
    area: AreaScope | None

    def unit(self, column: str) -> str:
        """The unit expression of ``column``."""
        return unit_of(column, self.level)

    def inside(self, column: str) -> tuple[str, tuple[object, ...]]:
        """The area condition on a single region-code column."""
        return area_condition(self.area, county=column, village="NULL")


# People: on the roster and not terminated as the register reads it (its TERMINATED: a person
# whose hub termination is under restoration review counts, as in the register's summary).
# ``register_people`` is not aliased: the register's condition names it.
_PEOPLE: Final = f"""
WITH latest AS (
    SELECT person_id, max(month) AS last_month FROM register_certifications
    WHERE month <= ? GROUP BY person_id
)
SELECT {{unit}} AS unit, count(*),
    sum(CASE WHEN l.last_month >= ? THEN 1 ELSE 0 END),
    sum(CASE WHEN l.last_month IS NULL THEN 1 ELSE 0 END),
    sum(CASE WHEN l.last_month < ? THEN 1 ELSE 0 END),
    sum(CASE WHEN l.last_month < ? THEN ? - l.last_month ELSE 0 END),
    sum(CASE WHEN EXISTS (SELECT 1 FROM biometric_enrolments AS b
        WHERE b.person_id = register_people.person_id AND b.status = 'enrolled')
        THEN 1 ELSE 0 END)
FROM register_people LEFT JOIN latest AS l ON l.person_id = register_people.person_id
WHERE register_people.area IS NOT NULL AND roster_status IS NOT NULL AND NOT ({TERMINATED})
    AND {{inside}}
GROUP BY 1
"""
_RECORDS: Final = """
SELECT {unit} AS unit, count(*), sum(CASE WHEN c.method = 'data_comparison' THEN 1 ELSE 0 END)
FROM register_certifications AS c JOIN register_people AS p ON p.person_id = c.person_id
WHERE c.month = ? AND c.of_record = c.sequence AND p.area IS NOT NULL AND {inside}
GROUP BY 1
"""
_TASKS_RESOLVED: Final = """
WITH d AS (
    SELECT {unit} AS unit, resolved_at - opened_at AS secs FROM task_deadlines
    WHERE resolved_at >= ? AND resolved_at < ? AND {inside}
), r AS (
    SELECT unit, secs, row_number() OVER (PARTITION BY unit ORDER BY secs) AS n,
        count(*) OVER (PARTITION BY unit) AS total
    FROM d
)
SELECT unit, max(total), min(CASE WHEN n >= 0.5 * total THEN secs END),
    min(CASE WHEN n >= 0.9 * total THEN secs END)
FROM r GROUP BY unit
"""
_TASKS_OVERDUE: Final = """
SELECT {unit} AS unit, count(*) FROM task_deadlines
WHERE opened_at < ? AND due_at < ? AND (resolved_at IS NULL OR resolved_at >= ?) AND {inside}
GROUP BY 1
"""
_MONEY: Final = """
SELECT {unit} AS unit, count(*), sum(o.amount_cents), sum(b.recovered_cents),
    sum(CASE WHEN b.recovery_status = 'written_off'
        THEN o.amount_cents - b.recovered_cents ELSE 0 END)
FROM overpayments AS o JOIN overpayment_balances AS b ON b.task_id = o.task_id
WHERE o.period = ? AND b.recovery_status <> 'voided' AND {inside}
GROUP BY 1
"""
# A voided overpayment followed a termination its departments withdrew: never owed (what was
# recovered of it is refunded), so it is neither overpaid nor recovered in the assessment.
_RATINGS: Final = """
SELECT {unit} AS unit, count(*), sum(score), sum(CASE WHEN score < 3 THEN 1 ELSE 0 END)
FROM ratings WHERE rated_at >= ? AND rated_at < ? AND {inside}
GROUP BY 1
"""
_FOLLOW_UPS_LATE: Final = """
SELECT {unit} AS unit, count(*) FROM rating_followups
WHERE due_at < ? AND (rectified_at IS NULL OR rectified_at >= ?) AND {inside}
GROUP BY 1
"""


class AssessmentQueries(SqlReads):
    """The assessment's queries, the same SQL on both dialects; the dialect gives ``_read``."""

    async def _per_unit(
        self, sql: str, scope: Scope, column: str, params: tuple[object, ...]
    ) -> dict[str, Row]:
        inside, area_params = scope.inside(column)
        rows = await self._read(
            sql.format(unit=scope.unit(column), inside=inside), (*params, *area_params)
        )
        return {str(row[0]): row[1:] for row in rows}

    async def kpi_people(self, month: int, scope: Scope) -> dict[str, Row]:
        """Per unit: people on the roster, covered at ``month``, never certified, overdue,
        months overdue in all, with a biometric model enrolled."""
        cut = month - 12
        return await self._per_unit(
            _PEOPLE, scope, "register_people.area", (month, cut, cut, cut, cut)
        )

    async def kpi_records(self, month: int, scope: Scope) -> dict[str, Row]:
        """Per unit: certifications of record made in ``month``, and those by data comparison."""
        return await self._per_unit(_RECORDS, scope, "p.area", (month,))

    async def kpi_tasks(self, start: float, end: float, at: float, scope: Scope) -> dict[str, Row]:
        """Per unit: tasks resolved in the month, median and p90 seconds taken, and tasks
        overdue at ``at`` (the month's end, or now in the running month)."""
        area = "coalesce(village, county)"
        resolved = await self._per_unit(_TASKS_RESOLVED, scope, area, (start, end))
        overdue = await self._per_unit(_TASKS_OVERDUE, scope, area, (at, at, at))
        units = resolved.keys() | overdue.keys()
        return {u: (*resolved.get(u, (0, None, None)), *overdue.get(u, (0,))) for u in units}

    async def kpi_money(self, period: str, scope: Scope) -> dict[str, Row]:
        """Per unit: overpayments established in ``period``, cents overpaid, recovered,
        written off."""
        return await self._per_unit(_MONEY, scope, "o.county", (period,))

    async def kpi_ratings(
        self, start: float, end: float, at: float, scope: Scope
    ) -> dict[str, Row]:
        """Per unit: ratings given in the month, their score total, bad ones, and bad
        ratings' follow-ups late at ``at`` (the month's end, or now in the running month)."""
        given = await self._per_unit(_RATINGS, scope, "area", (start, end))
        late = await self._per_unit(_FOLLOW_UPS_LATE, scope, "area", (at, at))
        units = given.keys() | late.keys()
        return {u: (*given.get(u, (0, 0, 0)), *late.get(u, (0,))) for u in units}
