"""The demo's accountability month: every KPI with a value, and on a live /metrics scrape.

The month the demo step works through (``hub/cli/demo_accountability.py``),
written out by hand for 云城区 (445302), a fresh data folder:

* on the roster: A, B (village 201 of town 001), C, the dead D, the dead E
  (village 202), F (village 201 of town 002) — five people once the hub has
  terminated D's benefit;
* A certified by face this month (face model enrolled), B 14 months ago
  (overdue by 2 months), C by data comparison this month (免办): two records,
  one by comparison; E and F never certified;
* villages: 001201 files a zero report, 001202 sends the death reports, 002201
  nothing: 2 of 3 in time;
* D's task opened 12 days ago and was confirmed: 3 months × 238.00 overpaid,
  238.00 recovered, 476.00 written off; E's task opened 40 days ago, still
  open (30-day deadline): overdue and escalated;
* ratings: 5 by the channel app, 1 by the family through the SMS link.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pgkit import throwaway_database
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from certhub.hub.accountability import kpi_metrics
from certhub.hub.accountability.kpi_metrics import PROVINCE, TREND_MONTHS
from certhub.hub.accountability.kpis import KPIS
from certhub.hub.cli.demo_accountability import COUNTY, run_accountability_demo
from certhub.hub.cli.demo_stage import serving
from certhub.hub.core.keys import LEADERSHIP, METRICS
from certhub.hub.core.settings import Settings
from certhub.hub.rules.months import month_index, month_label
from certhub.hub.store import open_ledger
from certhub.monitoring.kpi_metrics import KpiCollector
from certhub.schemas.clock import CHINA_STANDARD_TIME

NAMES = {k.name for k in KPIS}
COUNTY_FIGURES: dict[str, Any] = {
    "people": 5, "covered": 2, "coverage": 0.4, "never_certified": 2, "overdue": 1,
    "overdue_avg_months": 2.0, "records": 2, "records_by_comparison": 1, "mianban_share": 0.5,
    "reporting_units": 3, "reported_in_time": 2, "zero_reported_late": 0,
    "report_compliance": 0.6667, "tasks_resolved": 1, "task_days_median": 12.0,
    "task_days_p90": 12.0, "tasks_overdue": 1, "overpayments": 1, "overpaid": "714.00",
    "recovered": "238.00", "written_off": "476.00", "recovery_rate": 0.3333,
    "biometric_enrolled": 1, "biometric_coverage": 0.2, "ratings": 2, "rating_avg": 3.0,
    "bad_ratings": 1, "follow_ups_late": 0,
}  # fmt: skip
ZERO_BY_DESIGN = {"zero_reported_late", "follow_ups_late"}
"""Nothing in the demo month is late yet: these are 0, every other figure is not."""


@pytest.fixture(params=["sqlite", "postgres"])
def demo_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """A fresh demo data folder, its ledger embedded or in a throw-away PostgreSQL database."""
    if request.param == "sqlite":
        yield Settings(data_dir=tmp_path / "demo")
        return
    with throwaway_database("kpi_demo") as url:
        yield Settings(data_dir=tmp_path / "demo", database_url=url)


async def test_the_demo_month_gives_every_kpi_a_value_and_a_series(
    demo_settings: Settings,
) -> None:
    out = io.StringIO()
    result = await run_accountability_demo(demo_settings, out)

    assert result.period == datetime.now(CHINA_STANDARD_TIME).strftime("%Y-%m")
    assert {k: result.county[k] for k in NAMES} == COUNTY_FIGURES
    total = {k: result.total[k] for k in NAMES}
    assert total == COUNTY_FIGURES  # a fresh folder: the county is the whole province
    assert [k for k, v in total.items() if v is None] == []
    zero = {k for k, v in total.items() if v in (0, "0.00", 0.0)}
    assert zero == ZERO_BY_DESIGN
    assert result.scraped == NAMES  # the demo hub's own /metrics had every KPI
    assert result.escalated == 1
    assert result.ok

    printed = out.getvalue()
    assert all(name in printed for name in NAMES)
    last_month = month_label(month_index(datetime.now(CHINA_STANDARD_TIME).date()) - 1)
    assert f"/public/disclosure?period={last_month}" in printed
    assert "28 of 28 KPIs" in printed


async def test_a_hub_serving_the_demo_data_publishes_every_panels_series(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    await run_accountability_demo(Settings(data_dir=data), io.StringIO())
    settings = Settings(data_dir=data, port=0, ministry_pull_seconds=0, signature_helper=False)
    async with serving(settings, registry=CollectorRegistry()) as (app, url):
        assert app[LEADERSHIP].leads("kpi-gauges")  # the embedded ledger: its one process
        for _ in range(200):  # the leader's loop computes the gauges once at start-up
            if app[METRICS].kpis.snapshot is not None:
                break
            await asyncio.sleep(0.05)
        async with aiohttp.ClientSession() as session, session.get(f"{url}/metrics") as response:
            text = await response.text()
    series = _series(text)

    kpi = series["certhub_kpi"]
    by_unit: dict[tuple[str, str], set[str]] = {}
    for labels, _ in kpi:
        by_unit.setdefault((labels["level"], labels["area"]), set()).add(labels["kpi"])
    assert by_unit[("county", COUNTY)] == NAMES
    assert by_unit[("province", PROVINCE)] == NAMES
    towns = {area for level, area in by_unit if level == "town"}
    assert towns == {"445302001", "445302002"}
    town_1 = {labels["kpi"]: v for labels, v in kpi if labels["area"] == "445302001"}
    assert town_1 == {
        "coverage": 0.5,  # A and C of A, B, C, E (D terminated)
        "mianban_share": 0.5,
        "overdue": 1.0,  # B
        "report_compliance": 1.0,  # villages 201 and 202
        "tasks_overdue": 1.0,  # E's
        "rating_avg": 3.0,
    }
    # F alone: no record and no rating, so no 免办 share and no average (absent, not 0)
    assert by_unit[("town", "445302002")] == {
        "coverage", "overdue", "report_compliance", "tasks_overdue"
    }  # fmt: skip
    value = {(labels["kpi"], labels["level"], labels["area"]): v for labels, v in kpi}
    assert value[("overpaid", "county", COUNTY)] == 714.0  # money as yuan

    trend = series["certhub_kpi_trend"]
    this = month_index(datetime.now(CHINA_STANDARD_TIME).date())
    months = {month_label(i) for i in range(this - TREND_MONTHS + 1, this + 1)}
    assert {labels["period"] for labels, _ in trend} == months
    current = {labels["kpi"]: v for labels, v in trend if labels["period"] == month_label(this)}
    assert set(current) == NAMES
    assert current["records"] == 2.0
    assert len(series["certhub_kpi_refreshed_timestamp_seconds"]) == 1


def _series(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


async def test_townships_past_the_bound_are_left_out_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "demo"
    await run_accountability_demo(Settings(data_dir=data), io.StringIO())
    monkeypatch.setattr(kpi_metrics, "MAX_TOWNS", 1)
    store = await open_ledger(Settings(data_dir=data), read_only=True)
    try:
        publisher = kpi_metrics.KpiPublisher(store, KpiCollector(), units=(), deadline_day=10)
        snapshot = await publisher.refresh(datetime.now(UTC))
    finally:
        await store.aclose()
    towns = sorted(area for level, area in snapshot.units if level == "town")
    assert towns == ["445302001"]  # the first in code order; 445302002 left out
    assert ("county", COUNTY) in snapshot.units
    assert "2 towns, the first 1 published" in caplog.text
