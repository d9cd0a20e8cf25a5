"""The dashboard over a live three-process deployment: which panels show data (16 §3).

Two ingress processes and a worker, each with its own data folder, on one
PostgreSQL and one RabbitMQ, scraped by a real Prometheus as the deployment's
``job="certhub"``; certifications pushed through both ingress processes (some
invalid, one forged), pulled, and delivered to the ministry by the worker.
Then every panel's query runs on that Prometheus. A panel without data is
either in :data:`NEEDS_OTHER_TRAFFIC` (with the event it waits for) or a
failure: a dashboard query that can never match, a metric a process never
exports, or a variable that selects nothing.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pgkit import throwaway_database

from certhub.security import SigningKey, issue_read_token, sign_compact
from tests.reliability.kit import (
    JOSE,
    SENDER,
    CountingMinistry,
    Deployment,
    HubProcess,
    Parties,
    free_port,
)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "monitoring" / "dashboards" / "certhub.json"
VARIABLES = {"$__rate_interval": "1m", "$job": "certhub", "$instance": ".*"}
NEEDS_OTHER_TRAFFIC = {
    "Reports by reason and city (24 h)": "an eligibility report (the channel certifies)",
    "Zero reports by city (31 d)": "a zero report",
    "Regions missing this period's report, by city": "a reporting units file",
    "Days until a sender's keys expire": "a trusted key with not_after",
    "Log records suppressed / s by level": "a flood of one warning",
    "Evidence refusals / s by reason": "a refused evidence upload",
}


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for the deployment."""
    with throwaway_database("certhub_dash") as url:
        yield url


@pytest.fixture
async def ministry() -> AsyncIterator[CountingMinistry]:
    """The ministry the worker delivers certifications to."""
    department = CountingMinistry()
    await department.start()
    yield department
    await department.aclose()


@pytest.fixture
async def deployment(
    tmp_path: Path, ministry: CountingMinistry, pg_database: str
) -> AsyncIterator[Deployment]:
    """The deployment, its deployment key provisioned; stopped and cleaned after."""
    made = Deployment(
        work=tmp_path, parties=Parties(), ministry=ministry, database_url=pg_database,
        broker="rabbitmq",
    )  # fmt: skip
    made.provision_secrets(CERTHUB_LOG_LEVEL="ERROR")
    yield made
    await made.aclose()


def _start(deployment: Deployment, name: str, role: str) -> HubProcess:
    folder = deployment.work / f"data-{name}"
    folder.mkdir()
    deployment.parties.trust_store().save(folder / "trust.jwks.json")
    hub = HubProcess(name, role, deployment.env(CERTHUB_DATA_DIR=str(folder)), deployment.work)
    deployment.processes.append(hub)
    hub.start()
    return hub


class _Prometheus:
    """A prometheus server scraping ``targets`` every second as job ``certhub``."""

    def __init__(self, work: Path, targets: list[str]) -> None:
        binary = shutil.which("prometheus")
        assert binary is not None, "prometheus missing: run tests/ensure_services.sh"
        self.url = f"http://127.0.0.1:{free_port()}"
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "scrape_configs": [{"job_name": "certhub", "static_configs": [{"targets": targets}]}],
        }
        (work / "prometheus.yml").write_text(json.dumps(config))
        self.log = (work / "prometheus.log").open("wb")
        self.process = subprocess.Popen(
            [binary, f"--config.file={work / 'prometheus.yml'}",
             f"--storage.tsdb.path={work / 'tsdb'}",
             f"--web.listen-address={self.url.removeprefix('http://')}"],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    async def query(self, session: aiohttp.ClientSession, promql: str) -> list[Any]:
        async with session.get(f"{self.url}/api/v1/query", params={"query": promql}) as answer:
            body = await answer.json(content_type=None)
        assert body["status"] == "success", (promql, body)
        result: list[Any] = body["data"]["result"]
        return result

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)
        self.log.close()


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


def _panels() -> list[tuple[str, str]]:
    model = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    found = []
    for panel in model["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for variable, value in VARIABLES.items():
                expr = expr.replace(variable, value)
            found.append((panel["title"], expr))
    return found


async def test_every_panel_has_data_in_a_three_process_deployment(
    deployment: Deployment, ministry: CountingMinistry, tmp_path: Path
) -> None:
    hubs = [_start(deployment, f"ingress-{n}", "ingress") for n in (1, 2)]
    worker = _start(deployment, "worker", "worker")
    for hub in [*hubs, worker]:
        await hub.ready()
    prometheus = _Prometheus(tmp_path, [h.url.removeprefix("http://") for h in [*hubs, worker]])
    try:
        async with aiohttp.ClientSession() as session:
            pushed = await _traffic(session, deployment.parties, hubs)
            await _until(
                lambda: _scraped(session, prometheus, pushed), 60, "traffic seen by Prometheus"
            )
            # A new series needs two scrapes before rate() shows it: ask again for a while.
            deadline = time.monotonic() + 30
            while True:
                empty = [t for t, expr in _panels() if not await prometheus.query(session, expr)]
                if set(empty) <= set(NEEDS_OTHER_TRAFFIC) or time.monotonic() > deadline:
                    break
                await asyncio.sleep(1)  # one scrape interval
    finally:
        prometheus.stop()
    missing = sorted(set(empty) - set(NEEDS_OTHER_TRAFFIC))
    assert missing == [], "panels without data: " + "; ".join(missing)
    assert sorted(set(empty)) == sorted(NEEDS_OTHER_TRAFFIC), empty  # the list stays true
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


async def _scraped(session: aiohttp.ClientSession, prometheus: _Prometheus, pushed: int) -> bool:
    up = await prometheus.query(session, 'sum(up{job="certhub"})')
    accepted = await prometheus.query(
        session, 'sum(certhub_messages_received_total{job="certhub",outcome="accepted"})'
    )
    delivered = await prometheus.query(
        session, 'sum(certhub_deliveries_total{job="certhub",outcome="delivered"})'
    )
    # rate() and increase() need two samples of a series: a second scrape after the traffic
    rated = [
        await prometheus.query(session, f"count(rate({name}[1m]))")
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
