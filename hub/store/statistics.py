"""Read queries of the statistics: counts per section, grouped, computed in SQL.

The same SQL on both dialects (like :mod:`certhub.hub.store.queries`, which
mixes this in); a reader's area (:mod:`certhub.security.scopes`) narrows
every section to the records inside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, NamedTuple

from certhub.hub.store.base import StatRow
from certhub.hub.store.sql_transport import SqlReads
from certhub.security.scopes import AreaScope, area_condition

__all__ = ["GROUPINGS", "StatisticsReads"]

# group_by -> SQL expression per section (None: the section has no such grouping)
_REPORT_KEYS: Final = {
    "city": "substr(county, 1, 4) || '00'",
    "county": "county",
    "reason": "reason",
    "method": None,
}
_CERT_KEYS: Final = {
    "city": "substr(county, 1, 4) || '00'",
    "county": "county",
    "reason": None,
    "method": "reason || '/' || coalesce(channel, '-') || '/' || coalesce(outcome, '-')",
}
_TASK_KEYS: Final = {
    "city": "substr(county, 1, 4) || '00'",
    "county": "county",
    "reason": "kind",
    "method": None,
}
GROUPINGS: Final = tuple(_REPORT_KEYS)


class _Section(NamedTuple):
    """A section counted by one grouped query."""

    name: str
    keys: Mapping[str, str | None]  # group_by -> SQL key (None: ``fallback``)
    fallback: str
    table: str
    where: str
    of_period: bool = True  # ``where`` takes the period as its one parameter
    suffix: str = ""  # appended to the key (tasks are counted per status too)


_SECTIONS: Final = (
    _Section(
        "reports",
        _REPORT_KEYS,
        "reason",
        "ledger",
        "message_type='eligibility_report/v1' AND period=?",
    ),
    _Section(
        "certifications",
        _CERT_KEYS,
        "reason",
        "ledger",
        "message_type='certification_event/v1' AND period=?",
    ),
    # a task is counted whatever its period: the verification list is not monthly
    _Section(
        "tasks", _TASK_KEYS, "status", "tasks", "1=1", of_period=False, suffix=" || ':' || status"
    ),
)


class StatisticsReads(SqlReads):
    """Grouped counts of reports, certifications, tasks and overpayments; the dialect reads."""

    async def stats(
        self, period: str, group_by: str, *, area: AreaScope | None = None
    ) -> list[StatRow]:
        """Counts for ``period`` grouped by ``group_by`` (one of :data:`GROUPINGS`), in ``area``."""
        result: list[StatRow] = []
        for section in _SECTIONS:
            result += await self._grouped(section, group_by, period, area=area)
        county = "overpayments.county"
        over_key = {"city": f"substr({county}, 1, 4) || '00'", "county": county}.get(
            group_by, "'all'"
        )
        # An overpayment's village is its task's: the overpayments table keeps the county only.
        where, params = area_condition(area, county=county, village="tasks.village")
        sql = (
            f"SELECT {over_key}, count(*), sum(amount_cents) FROM overpayments"
            " LEFT JOIN tasks ON tasks.task_id = overpayments.task_id"
            # voided (its termination withdrawn by the departments): never owed, not counted
            " WHERE NOT EXISTS (SELECT 1 FROM overpayment_balances AS b"
            " WHERE b.task_id = overpayments.task_id AND b.recovery_status = 'voided')"
            f" AND overpayments.period=? AND {where} GROUP BY 1 ORDER BY 1"
        )
        rows = await self._read(sql, (period, *params))
        result += [StatRow("overpayments", str(k), int(str(n)), int(str(c))) for k, n, c in rows]
        return result

    async def _grouped(
        self, section: _Section, group_by: str, period: str, *, area: AreaScope | None
    ) -> list[StatRow]:
        key = (section.keys[group_by] or section.fallback) + section.suffix
        inside, params = area_condition(area)
        rows = await self._read(
            f"SELECT {key}, count(*) FROM {section.table}"
            f" WHERE {section.where} AND {inside} GROUP BY 1 ORDER BY 1",
            ((period,) if section.of_period else ()) + params,
        )
        return [StatRow(section.name, str(k), int(str(n))) for k, n in rows]
