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
import json
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry

from certhub.hub.cli.demo_accountability import COUNTY, run_accountability_demo
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app

DASHBOARD = Path(__file__).resolve().parents[2] / "monitoring" / "dashboards" / "certhub-kpis.json"
SECONDS = 30.0


def panel_queries() -> list[tuple[str, str]]:
    """``(panel title, PromQL)`` with the job and one county chosen."""
    model = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [
        (panel["title"], target["expr"].replace("$job", "certhub").replace("$county", COUNTY))
        for panel in model["panels"]
        for target in panel.get("targets", [])
    ]


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
def prometheus(tmp_path: Path, demo_hub: str) -> Any:
    """A real Prometheus on a free port, scraping the demo hub every second."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("prometheus missing: run tests/ensure_services.sh (Debian prometheus)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    work = tmp_path / "prometheus"
    work.mkdir()
    config = {
        "global": {"scrape_interval": "1s"},
        "scrape_configs": [{"job_name": "certhub", "static_configs": [{"targets": [demo_hub]}]}],
    }
    (work / "prometheus.yml").write_text(json.dumps(config))
    with (work / "log").open("wb") as log:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={work / 'prometheus.yml'}",
                f"--storage.tsdb.path={work / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


async def test_every_panel_has_data_after_the_demo_month(prometheus: str) -> None:
    async with aiohttp.ClientSession() as session:

        async def series(promql: str) -> list[Any] | None:
            try:
                async with session.get(
                    f"{prometheus}/api/v1/query", params={"query": promql}
                ) as response:
                    answer = await response.json(content_type=None)
            except aiohttp.ClientConnectionError:
                return None  # not listening yet
            assert answer["status"] == "success", (promql, answer)
            found: list[Any] = answer["data"]["result"]
            return found

        deadline = time.monotonic() + SECONDS
        while not await series('certhub_kpi_trend{job="certhub"}'):  # the first scrape landed
            assert time.monotonic() < deadline, "the KPI gauges never reached Prometheus"
            await asyncio.sleep(0.2)  # polling the scrape interval, not a known duration
        empty = [title for title, promql in panel_queries() if not await series(promql)]
    assert empty == []
    assert len(panel_queries()) > 40
