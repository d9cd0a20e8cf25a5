"""Liveness, readiness with per-check detail, the separate metrics port, scrapes at shutdown."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from certhub.hub.core.keys import READINESS, STORE
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.hub.runtime.health import NotReady, Readiness
from certhub.hub.store import StoreUnavailable
from certhub.monitoring.server import MetricsPortInUse
from certhub.security import create_sender_key, trust_add


async def get_json(session: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, Any]]:
    """GET ``url`` and return (status, JSON body)."""
    async with session.get(url) as response:
        return response.status, await response.json()


async def until_status(session: aiohttp.ClientSession, url: str, status: int) -> dict[str, Any]:
    """Poll ``url`` until it answers ``status`` (deadline 10 s); return that body."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        got, body = await get_json(session, url)
        if got == status:
            return body
        await asyncio.sleep(0.05)  # polling interval
    pytest.fail(f"{url} never answered {status}")


def taken_port() -> socket.socket:
    """A listening socket on 127.0.0.1 holding a port; the caller closes it."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    return holder


async def test_healthz_and_readyz_report_every_check(running_hub: Any) -> None:
    status, alive = await get_json(running_hub.session, f"{running_hub.base_url}/healthz")
    assert (status, alive["status"]) == (200, "ok")
    status, ready = await get_json(running_hub.session, f"{running_hub.base_url}/readyz")
    assert status == 200
    assert ready["status"] == "ready"
    assert set(ready["checks"]) == {"store", "trust_store", "signing_key", "broker"}
    assert all(check["ok"] for check in ready["checks"].values())
    assert ready["checks"]["trust_store"]["detail"] == "1 of 1 keys usable"


async def test_readiness_goes_false_when_the_store_fails_and_back(
    running_hub: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = running_hub.app[STORE]

    async def disk_full() -> None:
        raise StoreUnavailable("only 0 bytes free next to the ledger")

    monkeypatch.setattr(store, "ping", disk_full)
    url = f"{running_hub.base_url}/readyz"
    status, body = await get_json(running_hub.session, url)
    assert status == 503
    assert body["status"] == "not ready"
    assert body["checks"]["store"] == {
        "ok": False,
        "detail": "only 0 bytes free next to the ledger",
        "duration_ms": body["checks"]["store"]["duration_ms"],
    }
    assert body["checks"]["trust_store"]["ok"]  # the other checks still report
    monkeypatch.undo()
    await until_status(running_hub.session, url, 200)


async def test_readiness_waits_for_a_usable_sender_key(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "hub", port=0, trust_reload_seconds=0.1)
    runner = web.AppRunner(create_app(settings, registry=CollectorRegistry()), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        url = f"http://{host}:{port}/readyz"
        async with aiohttp.ClientSession() as session:
            status, body = await get_json(session, url)
            assert status == 503
            assert "no usable sender key" in body["checks"]["trust_store"]["detail"]
            _, public = create_sender_key("zhaoqing-platform", tmp_path / "parties")
            expires = datetime.now(UTC) + timedelta(days=30)
            trust_add(
                settings.trust_store_path,
                public,
                sender="zhaoqing-platform",
                may_send=["zero_report/v1"],
                may_read=False,
                not_after=expires,
            )
            await until_status(session, url, 200)
            async with session.get(f"http://{host}:{port}/metrics") as response:
                text = await response.text()
        samples = {
            sample.labels["sender"]: sample.value
            for family in text_string_to_metric_families(text)
            if family.name == "certhub_trust_key_not_after_timestamp_seconds"
            for sample in family.samples
        }
        assert samples == {"zhaoqing-platform": pytest.approx(expires.timestamp(), abs=1)}
    finally:
        await runner.cleanup()


async def test_a_check_that_hangs_or_fails_is_reported_not_raised() -> None:
    readiness = Readiness(timeout=0.05)
    never = asyncio.Event()

    async def hangs() -> str:
        await never.wait()
        return "unreachable"

    async def refuses() -> str:
        raise NotReady("broker connection closed")

    async def fine() -> str:
        return "connected"

    readiness.register("slow", hangs)
    readiness.register("broker", refuses)
    readiness.register("fine", fine)
    with pytest.raises(ValueError, match="already registered"):
        readiness.register("broker", fine)
    results = {result.name: result for result in await readiness.run()}
    assert readiness.names == ["slow", "broker", "fine"]
    assert (results["slow"].ok, results["slow"].detail) == (False, "no answer within 0.05 s")
    assert (results["broker"].ok, results["broker"].detail) == (False, "broker connection closed")
    assert results["fine"].ok


async def test_a_failing_check_logs_its_outage_not_every_probe(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A load balancer probes every few seconds for as long as PostgreSQL is away: the log
    says when a check starts failing and when it works again, as the background loops do
    (README, Logs), not once per probe (which the flood guard then counts as suppressed)."""
    readiness = Readiness(timeout=0.05)
    store_down = True
    never = asyncio.Event()

    async def store() -> str:
        if store_down:
            raise StoreUnavailable("ledger not readable: [Errno 111] Connect call failed")
        return "ledger readable and writable"

    async def hangs() -> str:
        await never.wait()
        return "unreachable"

    readiness.register("store", store)
    readiness.register("broker", hangs)
    caplog.set_level(logging.WARNING, logger="certhub.hub.runtime.health")
    for _ in range(30):
        await readiness.run()
    store_down = False
    await readiness.run()
    said = [r.getMessage() for r in caplog.records if r.name == "certhub.hub.runtime.health"]
    assert len(said) == 3, said
    assert said[0] == (
        "readiness check store: round failed, trying again next round:"
        " ledger not readable: [Errno 111] Connect call failed"
    )
    assert said[1] == (
        "readiness check broker: round failed, trying again next round: no answer within 0.05 s"
    )
    assert said[2].startswith("readiness check store: working again after 30 failed rounds")


async def test_metrics_served_on_a_separate_port(hub_settings: Settings) -> None:
    with taken_port() as probe:
        port = probe.getsockname()[1]
    settings = hub_settings.model_copy(update={"metrics_port": port})
    runner = web.AppRunner(create_app(settings, registry=CollectorRegistry()), access_log=None)
    await runner.setup()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200
                assert "certhub_build_info" in await response.text()
            async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                assert response.status == 404  # only metrics on that port
    finally:
        await runner.cleanup()


async def test_a_metrics_port_collision_is_a_clear_startup_error(hub_settings: Settings) -> None:
    with taken_port() as holder:
        port = holder.getsockname()[1]
        settings = hub_settings.model_copy(update={"metrics_port": port})
        app = create_app(settings, registry=CollectorRegistry())
        runner = web.AppRunner(app, access_log=None)
        with pytest.raises(MetricsPortInUse) as caught:
            await runner.setup()
        await runner.cleanup()
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message
    assert "already in use" in message
    assert "CERTHUB_METRICS_PORT" in message
    assert STORE not in app  # failed before the ledger was opened


async def test_scrapes_during_shutdown_never_fail_the_hub(
    hub_settings: Settings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    with taken_port() as probe:
        metrics_port = probe.getsockname()[1]
    settings = hub_settings.model_copy(update={"metrics_port": metrics_port})
    runner = web.AppRunner(create_app(settings, registry=CollectorRegistry()), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    urls = [
        f"http://{host}:{port}/metrics",
        f"http://{host}:{port}/readyz",
        f"http://127.0.0.1:{metrics_port}/metrics",
    ]
    outcomes: Counter[str] = Counter()
    stop, serving = asyncio.Event(), asyncio.Event()
    ledger_closed, scraped = asyncio.Event(), asyncio.Event()
    store = runner.app[STORE]
    close_ledger = store.aclose

    async def close_then_hold() -> None:  # hold shutdown right after the ledger closed
        await close_ledger()
        ledger_closed.set()
        await scraped.wait()

    monkeypatch.setattr(store, "aclose", close_then_hold)

    async def scrape_until_stopped(session: aiohttp.ClientSession, url: str) -> None:
        while not stop.is_set():
            try:
                async with session.get(url) as response:
                    await response.read()
                    outcomes[f"{response.status}"] += 1
            except aiohttp.ClientError:
                outcomes["refused"] += 1
            if outcomes["200"] >= 10:
                serving.set()
            await asyncio.sleep(0)

    caplog.set_level(logging.WARNING)
    async with aiohttp.ClientSession() as session:
        scrapers = [asyncio.create_task(scrape_until_stopped(session, url)) for url in urls]
        await asyncio.wait_for(serving.wait(), 10)
        shutdown = asyncio.create_task(runner.cleanup())
        await asyncio.wait_for(ledger_closed.wait(), 10)
        async with session.get(urls[2]) as response:  # mid-shutdown, ledger already closed
            assert response.status == 200
            assert "certhub_trust_key_not_after_timestamp_seconds" in await response.text()
        readiness = {result.name: result for result in await runner.app[READINESS].run()}
        assert (readiness["store"].ok, readiness["store"].detail) == (False, "the ledger is closed")
        scraped.set()
        await asyncio.wait_for(shutdown, 10)
        stop.set()
        await asyncio.gather(*scrapers)
    assert set(outcomes) <= {"200", "503", "refused"}, outcomes
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
