"""The dashboard over a live three-process deployment: which panels show data (16 §3).

Two ingress processes and a worker, each with its own data folder, on one
PostgreSQL and one RabbitMQ, scraped by a real Prometheus as the deployment's
``job="certhub"``; certifications pushed through both ingress processes (some
invalid, one forged), pulled, and delivered to the ministry by the worker.
Besides, what the other panels wait for: a city's reporting system (its key
expiring in 90 days) sends an eligibility report and a zero report, every
folder holds the reporting units that must report monthly, a refused
evidence upload, and a slow-body flood whose warnings the log's flood guard
cuts. Then every panel's query runs on that Prometheus: a panel without data
is a failure — a dashboard query that can never match, a metric a process
never exports, or a variable that selects nothing.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from deployment_fixtures import deployment, ministry, pg_database
from prometheuskit import DASHBOARDS, Prometheus, panel_queries

from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.security import SigningKey, issue_read_token, sign_compact
from tests.reliability.kit import (
    JOSE,
    SENDER,
    CountingMinistry,
    Deployment,
    HubProcess,
    Parties,
)

__all__ = ["deployment", "ministry", "pg_database"]  # from the deployment kit

pytestmark = pytest.mark.slow

DASHBOARD = DASHBOARDS / "certhub.json"
VARIABLES = {"$__rate_interval": "1m", "$job": "certhub", "$instance": ".*"}
CITY = "city-4401"  # 广州市's reporting system
UNITS = "code,name\n440103001201,甲村\n440103001202,乙村\n440103001203,丙村\n"
BODY_TIMEOUT = 1.0  # seconds; the slow-body flood waits this long
FLOOD = 30  # slow bodies at once: more than the flood guard's burst of 20 per kind


@pytest.fixture
def deployment_env() -> dict[str, str]:
    """Quiet logs (the flood's warnings still count), and a short wait for a slow body."""
    return {"CERTHUB_LOG_LEVEL": "WARNING", "CERTHUB_HTTP_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT)}


def _start(deployment: Deployment, name: str, role: str, city_key: SigningKey) -> HubProcess:
    """A process of its own folder that also trusts the city's reporting system and knows
    the reporting units."""
    trust = deployment.parties.trust_store().add(
        city_key.public_jwk(),
        sender=CITY,
        may_send=["eligibility_report/v1", "zero_report/v1"],
        role="reporting_system",
        not_after=datetime.now(UTC) + timedelta(days=90),
    )
    files = {"reporting_units.csv": UNITS}
    return deployment.start_with_own_folder(name, role, trust=trust, files=files)


async def _until(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if await check():
                return
        except (aiohttp.ClientError, OSError):
            pass
        await asyncio.sleep(0.5)  # polling a server that updates on its own schedule
    pytest.fail(f"not within {seconds:g} s: {what}")


async def test_every_panel_has_data_in_a_three_process_deployment(
    deployment: Deployment, ministry: CountingMinistry, tmp_path: Path
) -> None:
    city_key = SigningKey.generate()
    hubs = [_start(deployment, f"ingress-{n}", "ingress", city_key) for n in (1, 2)]
    worker = _start(deployment, "worker", "worker", city_key)
    for hub in [*hubs, worker]:
        await hub.ready()
    prometheus = Prometheus(
        tmp_path / "prometheus", [h.url.removeprefix("http://") for h in [*hubs, worker]]
    )
    try:
        async with aiohttp.ClientSession() as session:
            await prometheus.ready(session)
            pushed = await _traffic(session, deployment.parties, hubs)
            pushed += await _reports(session, deployment.parties, city_key, hubs[0])
            await _refused_evidence(session, city_key, hubs[1])
            await _slow_body_flood(hubs[0])
            await _until(
                lambda: _scraped(session, prometheus, pushed), 60, "traffic seen by Prometheus"
            )
            # A new series needs two scrapes before rate() shows it: ask again for a while.
            deadline = time.monotonic() + 30
            while True:
                empty = [
                    t
                    for t, expr in panel_queries(DASHBOARD, VARIABLES)
                    if not await prometheus.result(session, expr)
                ]
                if not empty or time.monotonic() > deadline:
                    break
                await asyncio.sleep(1)  # one scrape interval
    finally:
        prometheus.stop()
    assert empty == [], "panels without data: " + "; ".join(sorted(set(empty)))
    assert ministry.effects  # the worker delivered: the delivery panels had something to show


async def _traffic(session: aiohttp.ClientSession, parties: Parties, hubs: list[HubProcess]) -> int:
    """Push through both ingress processes (every 5th invalid, one forged), pull; accepted count."""
    accepted = 0
    for n, hub in enumerate(hubs):
        for message in parties.certifications(10, invalid_every=5):
            async with session.post(
                hub.url + "/v1/certifications", data=message.token, headers=JOSE
            ) as answer:
                accepted += answer.status == 202
        stranger = SigningKey.generate()  # a key nobody trusts, claiming to be the channel
        forged = sign_compact(
            b"{}", key=stranger, typ="certification_event/v1", sender=SENDER, jti=f"forged-{n}"
        )
        async with session.post(
            hub.url + "/v1/certifications", data=forged, headers=JOSE
        ) as answer:
            assert answer.status == 401
        token = issue_read_token(parties.key, sender=SENDER)
        headers = {"Authorization": f"Bearer {token}"}
        async with session.get(hub.url + "/v1/certifications", headers=headers) as answer:
            assert answer.status == 200
    return accepted


async def _reports(
    session: aiohttp.ClientSession, parties: Parties, city_key: SigningKey, hub: HubProcess
) -> int:
    """The city reports a missing pensioner and one village's zero report for last month."""
    last_month = datetime.now(CHINA_STANDARD_TIME).replace(day=1) - timedelta(days=1)
    payloads = [
        parties.population.eligibility_report() | {"reason": "missing"},
        parties.population.zero_report(last_month.strftime("%Y-%m")),
    ]
    for n, payload in enumerate(payloads):
        token = sign_compact(
            json.dumps(payload, ensure_ascii=False).encode(), key=city_key,
            typ=payload["type"], sender=CITY, jti=f"{parties.run}-report-{n}",
        )  # fmt: skip
        async with session.post(hub.url + "/v1/reports", data=token, headers=JOSE) as answer:
            assert answer.status == 202, await answer.text()
    return len(payloads)


async def _refused_evidence(
    session: aiohttp.ClientSession, city_key: SigningKey, hub: HubProcess
) -> None:
    """An upload that claims to be a PNG and is not one: refused, nothing stored."""
    token = issue_read_token(city_key, sender=CITY, scope="evidence")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "image/png"}
    async with session.post(hub.url + "/v1/evidence", data=b"not a png", headers=headers) as answer:
        problem = await answer.json(content_type=None)
    assert (answer.status, problem["type"]) == (415, "urn:certhub:problem:evidence-unsupported")


async def _slow_body_flood(hub: HubProcess) -> None:
    """:data:`FLOOD` requests whose body never completes: one warning each, most held back."""
    host, port = hub.url.removeprefix("http://").split(":")
    head = (
        b"POST /v1/certifications HTTP/1.1\r\nHost: hub\r\n"
        b"Content-Type: application/jose\r\nContent-Length: 1000\r\n\r\npartial"
    )
    streams = [await asyncio.open_connection(host, int(port)) for _ in range(FLOOD)]
    for _, writer in streams:
        writer.write(head)
        await writer.drain()
    for reader, writer in streams:  # each answered 408 once its body timeout has passed
        status = await asyncio.wait_for(reader.readline(), BODY_TIMEOUT * 10)
        assert b" 408 " in status, status
        writer.close()


async def _scraped(session: aiohttp.ClientSession, prometheus: Prometheus, pushed: int) -> bool:
    up = await prometheus.result(session, 'sum(up{job="certhub"})')
    accepted = await prometheus.result(
        session, 'sum(certhub_messages_received_total{job="certhub",outcome="accepted"})'
    )
    delivered = await prometheus.result(
        session, 'sum(certhub_deliveries_total{job="certhub",outcome="delivered"})'
    )
    # rate() and increase() need two samples of a series: a second scrape after the traffic
    rated = [
        await prometheus.result(session, f"count(rate({name}[1m]))")
        for name in (
            "certhub_messages_received_total",
            "certhub_deliveries_total",
            "certhub_adapter_requests_total",
        )
    ]
    return (
        all(rated)
        and bool(up) and float(up[0]["value"][1]) == 3
        and bool(accepted) and float(accepted[0]["value"][1]) == pushed
        and bool(delivered) and float(delivered[0]["value"][1]) > 0
    )  # fmt: skip
