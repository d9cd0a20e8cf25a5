"""The KPI gauges are computed by one process of a PostgreSQL deployment, and move with the lead.

Two hub processes (two applications in this test process) share one
PostgreSQL ledger and one data folder. Only the one holding the leader lock
computes the KPIs; the other serves no ``certhub_kpi`` sample at all (a
``max`` over instances on the dashboard must never meet a stale figure). When
the leader stops, it withdraws its figures and the other process takes over.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from aiohttp import web
from pgkit import throwaway_database
from prometheus_client import CollectorRegistry

from certhub.hub.core.keys import LEADERSHIP, METRICS
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app


async def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll ``condition()`` until true; fail past ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        await asyncio.sleep(0.05)


async def test_one_process_computes_the_gauges_and_the_other_takes_over(tmp_path: Path) -> None:
    with throwaway_database("kpi_leader") as url:
        settings = Settings(
            data_dir=tmp_path / "hub",
            database_url=url,
            ministry_pull_seconds=0,
            signature_helper=False,
            metrics_port=None,
        )
        runners = []
        for _ in range(2):  # started one after the other, as systemd would
            runner = web.AppRunner(create_app(settings, registry=CollectorRegistry()))
            await runner.setup()
            runners.append(runner)
        apps = [runner.app for runner in runners]
        try:

            def published() -> list[bool]:
                return [app[METRICS].kpis.snapshot is not None for app in apps]

            await wait_for(lambda: any(published()), 15, "a process computed the KPIs")
            leader = published().index(True)
            other = 1 - leader
            assert apps[leader][LEADERSHIP].leads("kpi-gauges")
            await asyncio.sleep(1.0)
            assert not apps[other][LEADERSHIP].leads("kpi-gauges")
            assert published()[other] is False  # the follower serves no KPI sample

            leader_metrics = apps[leader][METRICS]
            await runners[leader].cleanup()
            assert leader_metrics.kpis.snapshot is None  # withdrawn when it stopped leading
            await wait_for(
                lambda: apps[other][METRICS].kpis.snapshot is not None, 15, "the other took over"
            )
        finally:
            for runner in runners:
                await runner.cleanup()
