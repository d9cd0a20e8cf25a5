"""Logs an ops team can follow: PII access, deliveries, outages, start and stop (16 §3)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from deliverykit import memory_dispatcher
from hub_fixtures import hub, hub_factory, party_keys
from hubkit import Hub
from logkit import logged
from pgkit import throwaway_database

from certhub.hub.core.periodic import every
from certhub.hub.delivery.broker import Envelope, Verdict
from certhub.monitoring.logging import JsonFormatter, correlation_id
from certhub.schemas import check_character

__all__ = ["hub", "hub_factory", "party_keys"]

REPO = Path(__file__).resolve().parents[2]
CERTHUB = [sys.executable, "-m", "certhub.hub.cli.main"]


# -- who read personal data ---------------------------------------------------------------


async def test_each_read_of_personal_data_is_logged_with_reader_route_and_page(
    hub: Hub, json_logs: io.StringIO
) -> None:
    for _ in range(3):
        status, _ = await hub.push(hub.sign(hub.report()))
        assert status == 202
    status, first = await hub.pull("/v1/reports", limit="2")
    assert status == 200
    status, _ = await hub.pull("/v1/reports", limit="2", after=first["next_cursor"])
    assert status == 200
    missing = await hub.client.get("/v1/evidence/" + "0" * 64, headers=hub.bearer())
    assert missing.status == 404
    reads = logged(json_logs, event="pii_read")
    assert [(r["route"], r["limit"], r["status"]) for r in reads] == [
        ("/v1/reports", "2", 200),
        ("/v1/reports", "2", 200),
        ("/v1/evidence/{digest}", "", 404),
    ]
    assert [r["after"] for r in reads[:2]] == ["", first["next_cursor"]]
    for read in reads:
        assert read["logger"] == "certhub.access"
        assert read["reader"] == "province"
        assert read["reader_kid"] == hub.keys["province"].kid
        assert read["reader_area"] == "province"
        assert read["correlation_id"]  # the same id the response carried
    assert "id_number" not in json_logs.getvalue()  # nothing of the page's content


async def test_a_read_without_a_valid_token_is_not_an_access(
    hub: Hub, json_logs: io.StringIO
) -> None:
    response = await hub.client.get("/v1/reports", headers={"Authorization": "Bearer nonsense"})
    assert response.status == 401
    assert logged(json_logs, event="pii_read") == []


def test_an_id_number_in_a_logged_path_is_masked() -> None:
    id_number = "44010219800101001" + check_character("44010219800101001")
    record = logging.LogRecord("certhub.access", logging.INFO, "", 0, "read", (), None)
    record.path = f"/v1/anything/{id_number}"
    rendered = JsonFormatter().format(record)
    assert id_number not in rendered
    assert json.loads(rendered)["path"].startswith("/v1/anything/4401")


def test_the_access_log_survives_a_quiet_log_level() -> None:
    from certhub.monitoring.logging import configure_logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("ERROR", io.StringIO())
        assert logging.getLogger("certhub.access").isEnabledFor(logging.INFO)
        assert logging.getLogger("certhub.lifecycle").isEnabledFor(logging.INFO)
        assert not logging.getLogger("certhub.hub.delivery").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


# -- deliveries ---------------------------------------------------------------------------


async def test_a_delivery_logs_under_the_requests_correlation_id(json_logs: io.StringIO) -> None:
    department = logging.getLogger("certhub.adapters.sms")

    async def deliver(envelope: Envelope) -> None:
        department.info("sms gateway accepted the notice")

    dispatcher = memory_dispatcher(deliver, max_attempts=3)
    envelope = Envelope("notice:task-7", "sms", "send", b'{"to": "138"}', "req-4f2a9c01", 0)
    assert correlation_id.get() is None
    assert await dispatcher.handle(envelope) is Verdict.ACK
    assert correlation_id.get() is None  # bound for the delivery only
    [adapter_line] = logged(json_logs, logger="certhub.adapters.sms")
    assert adapter_line["correlation_id"] == "req-4f2a9c01"
    [done] = logged(json_logs, event="delivered")
    assert done["correlation_id"] == "req-4f2a9c01"
    assert done["delivery_id"] == "notice:task-7"
    assert done["destination"] == "sms"
    assert done["operation"] == "send"
    assert done["attempt"] == 1
    assert done["request_bytes"] == len(b'{"to": "138"}')
    assert done["duration_ms"] >= 0
    # a redelivery of a delivered id calls nobody and logs no second delivery
    assert await dispatcher.handle(envelope) is Verdict.ACK
    assert len(logged(json_logs, event="delivered")) == 1


# -- an outage logs at a bounded rate -----------------------------------------------------


async def _loop_for(
    seconds_failing: float, quiet: float, caplog: pytest.LogCaptureFixture
) -> list[str]:
    healthy = asyncio.Event()
    began = time.monotonic()
    rounds = 0

    async def step() -> None:
        nonlocal rounds
        rounds += 1
        if time.monotonic() - began < seconds_failing:
            raise ConnectionError("connection refused by 127.0.0.1:5432")
        healthy.set()

    caplog.set_level(logging.WARNING, logger="certhub.hub.core.periodic")
    task = asyncio.create_task(
        every(0.002, step, what="outbox relay", expected=(ConnectionError,), quiet=quiet)
    )
    try:
        await asyncio.wait_for(healthy.wait(), 10)
    finally:
        task.cancel()
    assert rounds > 50  # the loop really failed round after round
    return [r.getMessage() for r in caplog.records if r.name == "certhub.hub.core.periodic"]


async def test_an_outage_logs_its_start_and_end_not_every_round(
    caplog: pytest.LogCaptureFixture,
) -> None:
    said = await _loop_for(0.4, 60.0, caplog)
    assert len(said) == 2, said
    assert said[0] == (
        "outbox relay: round failed, trying again next round: connection refused by 127.0.0.1:5432"
    )
    assert said[1].startswith("outbox relay: working again after ")


async def test_a_long_outage_says_it_is_still_failing_at_most_once_per_quiet_period(
    caplog: pytest.LogCaptureFixture,
) -> None:
    said = await _loop_for(0.5, 0.1, caplog)
    still = [line for line in said if "still failing" in line]
    assert 2 <= len(still) <= 6, said  # ~0.5 s / 0.1 s, never one per round
    assert said[0].startswith("outbox relay: round failed")
    assert said[-1].startswith("outbox relay: working again")


# -- start-up and shutdown lines ----------------------------------------------------------


def _git_head() -> str:
    git = shutil.which("git")
    assert git is not None
    done = subprocess.run(
        [git, "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_serve_logs_a_start_line_and_a_stop_line(tmp_path: Path) -> None:
    with throwaway_database("certhub_ops") as url:
        secret = "pw-Not-In-Logs-7731"
        url_with_password = url.replace("postgres@", f"postgres:{secret}@")
        env = {k: v for k, v in os.environ.items() if not k.startswith("CERTHUB_")}
        env |= {
            "CERTHUB_DATABASE_URL": url_with_password,
            "CERTHUB_LOG_LEVEL": "WARNING",  # the two lines are kept anyway
            "CERTHUB_SIGNATURE_HELPER": "false",
            "CERTHUB_MINISTRY_PULL_SECONDS": "0",
        }
        serve = [*CERTHUB, "serve", "--port", "0", "--data", str(tmp_path / "data")]
        with subprocess.Popen(serve, env=env, stderr=subprocess.PIPE, text=True) as process:
            try:
                assert process.stderr is not None
                started = _read_until(process.stderr, "started")
                process.send_signal(signal.SIGTERM)
                stopped = _read_until(process.stderr, "stopped")
                assert process.wait(timeout=30) == 0
            finally:
                if process.poll() is None:
                    process.kill()
    assert started["logger"] == "certhub.lifecycle"
    assert started["role"] == "all"
    assert started["version"]
    assert started["commit"] == _git_head()
    assert started["address"].startswith("http://127.0.0.1:")
    assert not started["address"].endswith(":0")  # the real port, not the one asked for
    assert started["pid"] == process.pid
    assert started["ledger"] == url_with_password.replace(secret, "***")
    assert started["broker"] == "memory"
    assert started["message"] == (
        f"certhub {started['version']} started: role all on {started['address']}"
        f" (pid {process.pid})"
    )
    assert stopped["reason"] == "SIGTERM"
    assert stopped["uptime_seconds"] >= 0
    assert secret not in json.dumps([started, stopped])


def _read_until(stream: Any, event: str, within: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        if line.startswith("{"):
            entry: dict[str, Any] = json.loads(line)
            if entry.get("event") == event and entry.get("logger") == "certhub.lifecycle":
                return entry
    raise AssertionError(f"no {event} line")
