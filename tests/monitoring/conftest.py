"""Fixtures: a hub served on 127.0.0.1, a mock city pushing real signed traffic, promtool."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry

from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.mocks.local_reporting import PushSummary, ReportingSystem
from certhub.security import create_sender_key, read_private_key, trust_add

REPO = Path(__file__).resolve().parents[2]
MONITORING = REPO / "monitoring"
REPORTER = "yunfu-platform"


def run_promtool(
    *args: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real ``promtool`` (Debian package ``prometheus``), bounded in time."""
    binary = shutil.which("promtool")
    if binary is None:
        pytest.fail("promtool missing: run tests/ensure_services.sh (installs Debian prometheus)")
    return subprocess.run(
        [binary, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        input=stdin,
        check=False,
    )


@pytest.fixture
def promtool() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``promtool(*args, cwd=None, stdin=None)``: the real promtool, bounded in time."""
    return run_promtool


@pytest.fixture
def monitoring_dir() -> Path:
    """The repository's ``monitoring/`` folder (alerts, rule tests, dashboards)."""
    return MONITORING


@dataclass
class RunningHub:
    """A hub listening on 127.0.0.1 and a mock city platform enrolled with it."""

    app: web.Application
    base_url: str
    settings: Settings
    session: aiohttp.ClientSession

    def city(self) -> ReportingSystem:
        """The enrolled mock reporting system, signing with its own key."""
        key = read_private_key(self.settings.data_dir / "parties" / f"{REPORTER}.key.pem")
        return ReportingSystem(self.base_url, key=key, sender=REPORTER, session=self.session)

    async def traffic(self, reports: int = 12) -> PushSummary:
        """Push good, duplicate and bad signed reports, as ``make demo`` does."""
        return await self.city().run(reports, concurrency=4)

    async def scrape(self) -> str:
        """The hub's ``/metrics`` text."""
        async with self.session.get(f"{self.base_url}/metrics") as response:
            assert response.status == 200
            return await response.text()


def enrol_reporter(settings: Settings) -> None:
    """Give the mock city platform a key and enrol it as a report sender."""
    _, public = create_sender_key(REPORTER, settings.data_dir / "parties")
    trust_add(
        settings.trust_store_path,
        public,
        sender=REPORTER,
        may_send=["eligibility_report/v1", "zero_report/v1"],
        may_read=False,
        role="reporting_system",
    )


@pytest.fixture
def hub_settings(tmp_path: Path) -> Settings:
    """Settings for a hub in a fresh data folder, with the city platform enrolled."""
    settings = Settings(data_dir=tmp_path / "hub", port=0, trust_reload_seconds=0.2)
    enrol_reporter(settings)
    return settings


@pytest.fixture
async def running_hub(hub_settings: Settings) -> AsyncIterator[RunningHub]:
    """A hub serving real HTTP on 127.0.0.1, stopped after the test."""
    runner = web.AppRunner(create_app(hub_settings, registry=CollectorRegistry()), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        async with aiohttp.ClientSession() as session:
            yield RunningHub(runner.app, f"http://{host}:{port}", hub_settings, session)
    finally:
        await runner.cleanup()
