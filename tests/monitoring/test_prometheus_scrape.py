"""A real Prometheus server scrapes a running hub while a mock city pushes signed traffic."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aiohttp
import pytest

DASHBOARD = Path(__file__).resolve().parents[2] / "monitoring" / "dashboards" / "certhub.json"
DEADLINE_SECONDS = 30.0
T = TypeVar("T")


def free_port() -> int:
    """A port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str) -> T:
    """Poll ``probe`` until it returns a value, or fail after the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        value = await probe()
        if value is not None:
            return value
        await asyncio.sleep(0.2)  # polling interval, not a wait for a known duration
    pytest.fail(f"not within {DEADLINE_SECONDS:g} s: {what}")


class Prometheus:
    """A ``prometheus`` process on 127.0.0.1 in a temp dir, scraping one target every second."""

    def __init__(self, workdir: Path, target: str) -> None:
        binary = shutil.which("prometheus")
        if binary is None:
            pytest.fail("prometheus missing: run tests/ensure_services.sh (Debian prometheus)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "scrape_configs": [{"job_name": "certhub", "static_configs": [{"targets": [target]}]}],
        }
        (workdir / "prometheus.yml").write_text(json.dumps(config))  # JSON is valid YAML
        self.log = (workdir / "prometheus.log").open("wb")
        self.process = subprocess.Popen(
            [
                binary,
                f"--config.file={workdir / 'prometheus.yml'}",
                f"--storage.tsdb.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    async def query(self, session: aiohttp.ClientSession, promql: str) -> dict[str, Any]:
        """The JSON answer of ``/api/v1/query`` (errors included, not raised)."""
        async with session.get(f"{self.url}/api/v1/query", params={"query": promql}) as response:
            answer: dict[str, Any] = await response.json(content_type=None)
            return answer

    async def value(self, session: aiohttp.ClientSession, promql: str) -> float | None:
        """The single value of an instant query, or None when it has no result yet."""
        result = (await self.query(session, promql))["data"]["result"]
        return float(result[0]["value"][1]) if result else None

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop in time)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
async def prometheus(running_hub: Any, tmp_path: Path) -> AsyncIterator[Prometheus]:
    """A real Prometheus scraping ``running_hub``; stopped after the test."""
    server = Prometheus(tmp_path / "prometheus", urlsplit(running_hub.base_url).netloc)
    try:

        async def ready() -> bool | None:
            if server.process.poll() is not None:
                pytest.fail(f"prometheus exited: {(tmp_path / 'prometheus' / 'prometheus.log')}")
            try:
                async with running_hub.session.get(f"{server.url}/-/ready") as response:
                    return True if response.status == 200 else None
            except aiohttp.ClientConnectionError:
                return None

        await eventually(ready, "prometheus ready")
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
    model = json.loads(DASHBOARD.read_text())
    failures = []
    for panel in model["panels"]:
        for target in panel.get("targets", []):
            promql = target["expr"].replace("$__rate_interval", "1m")
            promql = promql.replace("$job", "certhub").replace("$instance", ".*")
            answer = await prometheus.query(session, promql)
            if answer["status"] != "success":
                failures.append((panel["title"], answer.get("errorType"), answer.get("error")))
    assert failures == []
    bad = await prometheus.query(session, "sum(rate(certhub_reports_total[1m])")
    assert bad["errorType"] == "bad_data"  # the check above would catch a broken expression
