"""Computes the assessment KPIs every few minutes for Prometheus and the Grafana dashboard.

The same :func:`~certhub.hub.accountability.kpis.kpis` as ``GET /v1/kpis``
(no second computation), for the running month (China Standard Time): the
province as one unit, every county with every KPI, every township with
:data:`TOWN_KPIS` (the rankings' figures), and the province's last 12
months (``GET /v1/kpis/trend``'s months). The snapshot goes to
:class:`~certhub.monitoring.kpi_metrics.KpiCollector`; a scrape never runs SQL.

One process of the deployment computes them (the leader's singleton, like
the deadline sweep): the figures are the deployment's, not a process's, and
the queries read the whole ledger. Series are bounded: 28 province + 28 per
county (at most the 124 county codes of ``GUANGDONG_COUNTIES``) + 6 per
township with data (about 1,600 in Guangdong; at most :data:`MAX_TOWNS`)
+ 28 × 12 trend — under 16,000. A
record known only to its county (an overpayment) is in its county's series,
not in a pseudo-township named by the county code (the rankings rank towns).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final

from aiohttp import web

from certhub.hub.accountability.kpis import KPIS, KpiStore, kpis
from certhub.hub.core.keys import KPI_METRICS, LEADERSHIP, METRICS, REPORTING_UNITS, SETTINGS, STORE
from certhub.hub.core.periodic import every
from certhub.hub.rules.compliance import ReportingUnit
from certhub.hub.rules.months import month_index, month_label
from certhub.hub.store.assessment import LEVEL_DIGITS, Scope
from certhub.monitoring.kpi_metrics import KpiCollector, KpiSnapshot
from certhub.schemas.clock import CHINA_STANDARD_TIME

__all__ = ["INTERVAL_SECONDS", "MAX_TOWNS", "PROVINCE", "TOWN_KPIS", "TREND_MONTHS", "KpiPublisher"]

log = logging.getLogger(__name__)

INTERVAL_SECONDS: Final = 300.0
"""How often the gauges are recomputed: the figures move with the working day, not by the second."""
TREND_MONTHS: Final = 12
PROVINCE: Final = "440000"
"""The ``area`` of the province's own series (Guangdong's division code)."""
TOWN_KPIS: Final = (
    "coverage",
    "mianban_share",
    "overdue",
    "report_compliance",
    "tasks_overdue",
    "rating_avg",
)
"""The KPIs published per township: what the county ranks its townships by."""
ALL_KPIS: Final = tuple(k.name for k in KPIS)
MAX_TOWNS: Final = 2000
"""Township units published at most (Guangdong has about 1,600): region codes come from
senders, so a bad town code must not grow the series without bound."""


@dataclass(frozen=True, eq=False)  # a service: equal only to itself
class KpiPublisher:
    """Computes the KPI snapshot from ``store`` and hands it to ``collector``.

    The reporting ``units`` and the reports' ``deadline_day`` feed the
    report-compliance KPI.
    """

    store: KpiStore
    collector: KpiCollector
    units: Sequence[ReportingUnit] = field(kw_only=True)
    deadline_day: int = field(kw_only=True)

    async def refresh(self, now: datetime) -> KpiSnapshot:
        """Compute every published figure as at ``now``; publish and return the snapshot."""
        this_month = month_index(now.astimezone(CHINA_STANDARD_TIME).date())
        trend: dict[str, dict[str, Any]] = {}
        for index in range(this_month - TREND_MONTHS + 1, this_month + 1):
            period = month_label(index)
            trend[period] = _figures(await self._month(period, None, now))[0][1]
        period = month_label(this_month)
        units: dict[tuple[str, str], dict[str, Any]] = {("province", PROVINCE): trend[period]}
        for level in ("county", "town"):
            rows = [
                (code, figures)
                for code, figures in _figures(await self._month(period, level, now))
                if len(code) == LEVEL_DIGITS[level]  # not a county's own money at town level
            ]
            if level == "town" and len(rows) > MAX_TOWNS:
                log.warning("KPI gauges: %d towns, the first %d published", len(rows), MAX_TOWNS)
                rows = rows[:MAX_TOWNS]
            units.update(((level, code), figures) for code, figures in rows)
        snapshot = KpiSnapshot(
            refreshed_at=time.time(),
            units=units,
            trend=trend,
            kpis={"province": ALL_KPIS, "county": ALL_KPIS, "town": TOWN_KPIS},
        )
        self.collector.publish(snapshot)
        return snapshot

    async def refresh_now(self) -> KpiSnapshot:
        """Refresh for the present moment."""
        return await self.refresh(datetime.now(UTC))

    async def _month(self, period: str, level: str | None, now: datetime) -> list[dict[str, Any]]:
        return await kpis(
            self.store,
            period,
            Scope(level, None),
            units=self.units,
            deadline_day=self.deadline_day,
            now=now,
        )


def _figures(rows: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(unit, its KPIs without the unit); an empty province is one row of nothing."""
    if not rows:
        return [("all", dict.fromkeys(ALL_KPIS))]
    return [(row["unit"], {k: row[k] for k in ALL_KPIS}) for row in rows]


async def _publishing(publisher: KpiPublisher, collector: KpiCollector) -> None:
    try:
        await every(INTERVAL_SECONDS, publisher.refresh_now, what="KPI gauges")
    finally:  # a process that stops leading serves no stale figures beside the new leader's
        collector.withdraw()


async def kpi_metrics_context(app: web.Application) -> AsyncIterator[None]:
    """Recompute the KPI gauges every :data:`INTERVAL_SECONDS` in one process of the deployment."""
    settings = app[SETTINGS]
    units: tuple[ReportingUnit, ...] = app[REPORTING_UNITS]
    publisher = KpiPublisher(
        app[STORE],
        app[METRICS].kpis,
        units=units,
        deadline_day=settings.report_deadline_day,
    )
    app[KPI_METRICS] = publisher
    loop = partial(_publishing, publisher, app[METRICS].kpis)
    async with app[LEADERSHIP].running("kpi-gauges", loop):  # one process of the deployment
        yield
