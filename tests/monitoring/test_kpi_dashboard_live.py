"""Every panel of the KPI dashboard has data: a real Prometheus scrapes a hub over the demo month.

The demo's accountability step (``hub/cli/demo_accountability.py``) works its
month into a fresh data folder; a hub then serves that folder (its KPI loop
computes the gauges at start-up) and a real ``prometheus`` scrapes it every
second. Each panel query of ``monitoring/dashboards/certhub-kpis.json``, as
Grafana would send it with county 445302 chosen, must return at least one
series: no panel of the dashboard is empty after ``make demo``.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheuskit import DASHBOARDS, Prometheus, panel_queries

from certhub.hub.cli.demo_accountability import COUNTY, run_accountability_demo
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app

DASHBOARD = DASHBOARDS / "certhub-kpis.json"
SECONDS = 30.0


def kpi_panels() -> list[tuple[str, str]]:
    """``(panel title, PromQL)`` with the job and one county chosen."""
    return panel_queries(DASHBOARD, {"$job": "certhub", "$county": COUNTY})


@pytest.fixture
async def demo_hub(tmp_path: Path) -> AsyncIterator[str]:
    """A hub serving a data folder the demo's accountability month was worked into."""
    data = tmp_path / "demo"
    await run_accountability_demo(Settings(data_dir=data), io.StringIO())
    settings = Settings(data_dir=data, port=0, ministry_pull_seconds=0, signature_helper=False)
    runner = web.AppRunner(create_app(settings, registry=CollectorRegistry()), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        yield f"{host}:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
def prometheus(tmp_path: Path, demo_hub: str) -> Iterator[Prometheus]:
    """A real Prometheus on a free port, scraping the demo hub every second."""
    server = Prometheus(tmp_path / "prometheus", [demo_hub])
    try:
        yield server
    finally:
        server.stop()


async def test_every_panel_has_data_after_the_demo_month(prometheus: Prometheus) -> None:
    async with aiohttp.ClientSession() as session:
        await prometheus.ready(session, SECONDS)
        deadline = time.monotonic() + SECONDS
        # the first scrape landed:
        while not await prometheus.result(session, 'certhub_kpi_trend{job="certhub"}'):
            assert time.monotonic() < deadline, "the KPI gauges never reached Prometheus"
            await asyncio.sleep(0.2)  # polling the scrape interval, not a known duration
        empty = [
            title for title, promql in kpi_panels() if not await prometheus.result(session, promql)
        ]
    assert empty == []
    assert len(kpi_panels()) > 40
