"""The assessment KPIs (考核评价) as gauges, from the latest snapshot the hub computed.

The KPIs are SQL over the whole ledger, too costly to run at every scrape, so
the hub computes them every few minutes (``hub/accountability/kpi_metrics.py``,
one process of the deployment) and hands the result here; a scrape only
reads the last snapshot. Families:

* ``certhub_kpi{kpi, level, area}``: the running month (China Standard
  Time) — ``level="province"`` (``area="440000"``), every KPI per county
  (``level="county"``) and a few KPIs per township (``level="town"``);
* ``certhub_kpi_trend{kpi, period}``: the province's totals for each of the
  last 12 months. The trend comes from the ledger (a past month is measured
  as it was), not from Prometheus' retention (15 days by default), so each
  month is its own series and a panel shows them side by side;
* ``certhub_kpi_refreshed_timestamp_seconds``: when the snapshot was made.

A KPI with no value (a ratio over nothing) has no sample. Labels are bounded:
``kpi`` is one of the KPI names, ``area`` a Guangdong county or township code
with data, ``period`` one of 12 months.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["KpiCollector", "KpiSnapshot", "kpi_value"]

KPI_FAMILY: Final = "certhub_kpi"
TREND_FAMILY: Final = "certhub_kpi_trend"
REFRESHED_FAMILY: Final = "certhub_kpi_refreshed_timestamp_seconds"

Figures = Mapping[str, object]
"""One unit's KPIs by name (numbers, money as decimal strings, None when undefined)."""


def kpi_value(value: object) -> float | None:
    """A KPI as a gauge value: numbers and decimal strings (yuan) as float, None as no sample."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return float(value)
    raise TypeError(f"not a KPI value: {value!r}")


@dataclass(frozen=True)
class KpiSnapshot:
    """One computation of the KPIs: per (level, area) and per trend period."""

    refreshed_at: float
    units: Mapping[tuple[str, str], Figures] = field(default_factory=dict)
    """(level, area code) → that unit's figures for the running month."""
    trend: Mapping[str, Figures] = field(default_factory=dict)
    """``YYYY-MM`` → the province's figures for that month."""
    kpis: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """level → the KPI names published at that level (all of them when absent)."""


class KpiCollector(Collector):
    """Serves the latest :class:`KpiSnapshot` (none before the first computation)."""

    def __init__(self) -> None:
        """Start empty: the families are declared, with no samples."""
        self._snapshot: KpiSnapshot | None = None

    def publish(self, snapshot: KpiSnapshot) -> None:
        """Replace the snapshot (one assignment: a scrape sees the old or the new, whole)."""
        self._snapshot = snapshot

    def withdraw(self) -> None:
        """Serve no samples (a process that stopped computing must not serve stale figures)."""
        self._snapshot = None

    @property
    def snapshot(self) -> KpiSnapshot | None:
        """The snapshot being served."""
        return self._snapshot

    def describe(self) -> Iterable[Metric]:
        """Declare the families without samples."""
        return list(_families())

    def collect(self) -> Iterator[Metric]:
        """The snapshot's samples."""
        kpi, trend, refreshed = _families()
        snapshot = self._snapshot
        if snapshot is not None:
            for (level, area), figures in sorted(snapshot.units.items()):
                names = snapshot.kpis.get(level, tuple(figures))
                for name in names:
                    value = kpi_value(figures.get(name))
                    if value is not None:
                        kpi.add_metric([name, level, area], value)
            for period, figures in sorted(snapshot.trend.items()):
                for name, raw in figures.items():
                    value = kpi_value(raw)
                    if value is not None:
                        trend.add_metric([name, period], value)
            refreshed.add_metric([], snapshot.refreshed_at)
        yield from (kpi, trend, refreshed)


def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
    return (
        GaugeMetricFamily(
            KPI_FAMILY,
            "Assessment KPIs of the running month (China time) by level and area code.",
            labels=["kpi", "level", "area"],
        ),
        GaugeMetricFamily(
            TREND_FAMILY,
            "The province's assessment KPIs for each of the last 12 months.",
            labels=["kpi", "period"],
        ),
        GaugeMetricFamily(
            REFRESHED_FAMILY, "Unix time the assessment KPI gauges were last computed."
        ),
    )
