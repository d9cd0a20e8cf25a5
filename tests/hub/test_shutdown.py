"""A hub process asked to stop is gone within its bound, and says what it was waiting for.

Real processes: a minimal app served by ``run_hub`` with a cleanup context
that never finishes (a pool whose connection a request never gave back), or
a start-up that takes forever, is sent SIGTERM.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from certhub.hub.runtime.shutdown import FORCED_EXIT_CODE

pytestmark = pytest.mark.slow

APP = """
import asyncio, pathlib, sys
from aiohttp import web
from prometheus_client import CollectorRegistry
from certhub.hub.core.keys import METRICS, SETTINGS
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.serving import run_hub
from certhub.monitoring.logging import configure_logging
from certhub.monitoring.metrics import HubMetrics

mode, folder = sys.argv[1], pathlib.Path(sys.argv[2])
configure_logging("WARNING")
app = web.Application()
app[SETTINGS] = Settings(data_dir=folder, port=0)
app[METRICS] = HubMetrics(CollectorRegistry())

async def first_opened(app):
    (folder / "first").write_text("open")
    yield
    (folder / "first").write_text("closed")

async def pool_with_a_held_connection(app):
    held = asyncio.Semaphore(1)
    await held.acquire()  # a connection some request never gave back
    (folder / "serving").write_text("")
    yield
    async with held:  # closing the pool waits for it
        pass

async def start_up_that_takes_long(app):
    (folder / "starting").write_text("")
    await asyncio.sleep(3600)
    yield

async def cleanup_that_fails(app):
    (folder / "serving").write_text("")
    yield
    raise RuntimeError("could not sign the final checkpoint")  # e.g. the database is gone

app.cleanup_ctx.append(first_opened)
app.cleanup_ctx.append(
    {"held": pool_with_a_held_connection, "start": start_up_that_takes_long}.get(
        mode, cleanup_that_fails
    )
)
run_hub(app, app[SETTINGS], stop_within=3.0)
"""


def serve(tmp_path: Path, mode: str, ready: str) -> subprocess.Popen[str]:
    """Start the app; return once ``ready`` (a file the app writes) exists."""
    process = subprocess.Popen(
        [sys.executable, "-c", APP, mode, str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not (tmp_path / ready).exists():
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "not ready"
        time.sleep(0.05)
    return process


def stop(process: subprocess.Popen[str]) -> tuple[float, list[dict[str, Any]]]:
    """SIGTERM; how long until it exited, and its log lines."""
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"running 20 s after SIGTERM: {process.communicate()[1]}") from None
    took = time.monotonic() - sent
    return took, [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_a_stop_stuck_in_cleanup_ends_within_the_bound_naming_what_it_waited_for(
    tmp_path: Path,
) -> None:
    process = serve(tmp_path, "held", "serving")
    took, lines = stop(process)
    assert process.returncode == FORCED_EXIT_CODE
    assert 3.0 <= took < 8.0, took
    (forced,) = [line for line in lines if line.get("event") == "stop_forced"]
    assert forced["level"] == "ERROR"
    assert forced["reason"] == "SIGTERM"
    assert "pool_with_a_held_connection" in forced["message"]  # the cleanup it was stuck in
    assert "Semaphore" in forced["message"]  # … and what that awaited


def test_a_signal_during_start_up_ends_the_start_up(tmp_path: Path) -> None:
    process = serve(tmp_path, "start", "starting")
    took, lines = stop(process)
    assert process.returncode == 0
    assert took < 3.0, took  # not after the start-up's hour, nor forced after 3 s
    assert (tmp_path / "first").read_text() == "closed"  # what had started was closed again
    (stopped,) = [line for line in lines if line.get("event") == "stopped"]
    assert stopped["reason"] == "SIGTERM while starting"


def test_a_stop_whose_cleanup_fails_still_logs_the_stop_line(tmp_path: Path) -> None:
    process = serve(tmp_path, "failing", "serving")
    _, lines = stop(process)
    assert process.returncode != 0  # the failure is not hidden
    (stopped,) = [line for line in lines if line.get("event") == "stopped"]
    assert stopped["reason"] == "SIGTERM"
