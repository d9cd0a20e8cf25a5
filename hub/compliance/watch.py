"""Keeps the compliance and task gauges current for Prometheus and its alerts.

Every ``interval`` seconds it computes, for the period under watch — last
month, whose reports and zero reports are due by the deadline day of this
month — how many reporting units of each city sent neither, and publishes the
deadline, so the ``CerthubCityReportMissing`` alert fires only once it has
passed. It also publishes verification tasks by status.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web

from certhub.hub.core.keys import COMPLIANCE_WATCH, METRICS, REPORTING_UNITS, SETTINGS, STORE
from certhub.hub.core.periodic import every, running
from certhub.hub.rules.compliance import ComplianceStatus, ReportingUnit, compliance, deadline
from certhub.hub.rules.months import month_index, month_label
from certhub.hub.store import LedgerStore
from certhub.monitoring.metrics import HubMetrics
from certhub.schemas import UnknownRegion, city_code_of
from certhub.schemas.clock import CHINA_STANDARD_TIME

log = logging.getLogger(__name__)


def watched_period(now: datetime) -> str:
    """Last month (China Standard Time): the month whose reports are due now."""
    return month_label(month_index(now.astimezone(CHINA_STANDARD_TIME).date()) - 1)


@dataclass(frozen=True, eq=False)  # a service: equal only to itself
class ComplianceWatch:
    """Publishes missing reporting units per city, the deadline, and tasks by status.

    Watches ``units`` in ``store``, whose month is due by ``deadline_day`` of the
    next month; publishes through ``metrics``.
    """

    store: LedgerStore
    units: Sequence[ReportingUnit]
    metrics: HubMetrics
    deadline_day: int = field(kw_only=True)

    async def refresh(self, now: datetime) -> None:
        """Recompute every gauge for the period under watch at ``now``."""
        period = watched_period(now)
        due = deadline(period, self.deadline_day)
        reported, zero = await self.store.compliance_inputs(period)
        rows = compliance(self.units, reported=reported, zero_reported=zero, due=due, now=now)
        missing = Counter(
            _city(row.unit.code) for row in rows if row.status is ComplianceStatus.MISSING
        )
        gauge = self.metrics.report_missing_regions
        gauge.clear()
        for unit in self.units:  # every city with units gets a value, zero included
            gauge.labels(city=_city(unit.code)).set(missing.get(_city(unit.code), 0))
        self.metrics.report_deadline.set(due.timestamp())
        by_status: Counter[str] = Counter()
        for row in await self.store.stats(period, "city"):
            if row.section == "tasks":
                by_status[row.key.rsplit(":", 1)[-1]] += row.count
        for status in ("open", "in_progress", "confirmed", "cleared"):
            self.metrics.verification_tasks.labels(status=status).set(by_status.get(status, 0))

    async def refresh_now(self) -> None:
        """Refresh for the present moment; a failure is logged, never raised."""
        try:
            await self.refresh(datetime.now(CHINA_STANDARD_TIME))
        except Exception as exc:  # gauges must never take the hub down
            log.warning("compliance gauges not refreshed: %s", exc)

    async def run(self, interval: float) -> None:
        """Refresh every ``interval`` seconds until cancelled (the first at start-up)."""
        await every(interval, self.refresh_now, what="compliance gauges", wait_first=True)


def _city(code: str) -> str:
    try:
        return city_code_of(code[:6])
    except UnknownRegion:
        return "unknown"


async def compliance_context(app: web.Application) -> AsyncIterator[None]:
    """Run the watch for the life of the hub."""
    units: tuple[ReportingUnit, ...] = app[REPORTING_UNITS]
    watch = ComplianceWatch(
        app[STORE],
        units,
        app[METRICS],
        deadline_day=app[SETTINGS].report_deadline_day,
    )
    app[COMPLIANCE_WATCH] = watch
    await watch.refresh_now()  # complete before the hub serves: no gauge starts empty
    async with running(watch.run(60.0)):
        yield
