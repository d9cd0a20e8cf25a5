"""A real Prometheus server scrapes a running hub while a mock city pushes signed traffic."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest
from prometheuskit import DASHBOARDS, Prometheus, panel_queries

DASHBOARD = DASHBOARDS / "certhub.json"
VARIABLES = {"$__rate_interval": "1m", "$job": "certhub", "$instance": ".*"}
DEADLINE_SECONDS = 30.0
T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str) -> T:
    """Poll ``probe`` until it returns a value, or fail after the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        value = await probe()
        if value is not None:
            return value
        await asyncio.sleep(0.2)  # polling interval, not a wait for a known duration
    pytest.fail(f"not within {DEADLINE_SECONDS:g} s: {what}")


@pytest.fixture
async def prometheus(running_hub: Any, tmp_path: Path) -> AsyncIterator[Prometheus]:
    """A real Prometheus scraping ``running_hub``; stopped after the test."""
    server = Prometheus(tmp_path / "prometheus", [urlsplit(running_hub.base_url).netloc])
    try:
        await server.ready(running_hub.session, DEADLINE_SECONDS)
        yield server
    finally:
        server.stop()


async def test_prometheus_sees_the_hub_counters_move(
    running_hub: Any, prometheus: Prometheus
) -> None:
    session = running_hub.session

    async def up() -> float | None:
        return await prometheus.value(session, 'up{job="certhub"} == 1')

    await eventually(up, "the hub scraped and up")
    pushed = await running_hub.traffic(reports=15)
    eligibility_reports = pushed.accepted - 1  # one of the accepted is the zero report

    def counted(promql: str, expected: float) -> Callable[[], Awaitable[float | None]]:
        async def probe() -> float | None:
            value = await prometheus.value(session, promql)
            return value if value == expected else None

        return probe

    accepted = 'sum(certhub_messages_received_total{job="certhub",outcome="accepted"})'
    await eventually(counted(accepted, pushed.accepted), f"{accepted} = {pushed.accepted}")
    reports = 'sum(certhub_reports_total{job="certhub"})'
    await eventually(counted(reports, eligibility_reports), f"{reports} moved")
    signature = 'sum(certhub_signature_failures_total{reason="signature-invalid"})'
    await eventually(counted(signature, 1), "the tampered message counted")
    await eventually(counted("sum(certhub_replay_rejections_total)", 1), "replay counted")
    await eventually(counted("max(certhub_trust_store_keys)", 1), "trust keys reported")


async def test_dashboard_queries_run_on_the_live_prometheus(
    running_hub: Any, prometheus: Prometheus
) -> None:
    session = running_hub.session
    failures = []
    for title, promql in panel_queries(DASHBOARD, VARIABLES):
        answer = await prometheus.query(session, promql)
        if answer["status"] != "success":
            failures.append((title, answer.get("errorType"), answer.get("error")))
    assert failures == []
    bad = await prometheus.query(session, "sum(rate(certhub_reports_total[1m])")
    assert bad["errorType"] == "bad_data"  # the check above would catch a broken expression
