"""The bound of a coordinator's sendings holds across the hub's processes, on either ledger.

Each process let a key's reports take turns (:class:`~certhub.hub.api.report_bound.KeyTurns`),
but only among its own requests: a burst spread over two processes had each count the
key's reports while the other's last one was not yet recorded, and at the bound's edge
both passed, one report over the bound for each process more. Here two hubs share one
PostgreSQL database, as two processes of a deployment do; and on the embedded SQLite
ledger a writer and its ingress processes share one data folder, the ingress processes
writing through the writer's socket, as ``certhub serve --processes N`` runs them.
"""

from __future__ import annotations

import asyncio
import io
import secrets
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from evidence_samples import png
from hubkit import JOSE
from pgkit import throwaway_database
from procedurekit import PARTIES, Office, open_office
from prometheus_client import CollectorRegistry
from scopekit import SCOPED, UNITS, A, X, coordinators_report, scoped_trust_store

from certhub.hub.core.keys import KEYRING, NOTICE_SENDER, STORE
from certhub.hub.delivery.notices import LoggingNoticeSender
from certhub.hub.runtime.app import create_app
from certhub.hub.runtime.processes import receipt_signers
from certhub.hub.store.sqlite import SqliteLedger
from certhub.hub.store.sqlite.writer_server import LedgerWriterServer
from certhub.schemas import problem_type_uri
from certhub.security import SigningKey

PER_HOUR = 5
BURST = 24  # a burst of a stolen phone's reports, split between the processes


async def send(office: Office, body: bytes) -> int:
    """POST one signed report to ``office``: the status it answered."""
    response = await office.client.post("/v1/reports", data=body, headers=JOSE)
    await response.read()
    return response.status


async def ledgered_reports(url: str) -> int:
    """How many reports the shared ledger holds."""
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM ledger WHERE kind = 'report'"))
    finally:
        await conn.close()


async def test_two_processes_on_one_database_pass_exactly_the_bound(
    aiohttp_client: Callable[..., Any], tmp_path: Path
) -> None:
    keys = {party: SigningKey.generate() for party in [*PARTIES, *SCOPED]}
    store = scoped_trust_store(keys)
    shared = tmp_path / "secrets"  # every process of a deployment holds the same key
    shared.mkdir(mode=0o700)
    (shared / "deployment.key").write_bytes(secrets.token_bytes(32))
    (shared / "deployment.key").chmod(0o600)
    with throwaway_database("certhub_bound") as url:

        async def start(name: str) -> Office:
            return await open_office(
                aiohttp_client, tmp_path / name, keys, units=UNITS, store=store,
                database_url=url, secrets_dir=shared, coordinator_reports_per_hour=PER_HOUR,
            )  # fmt: skip

        hubs = [await start("one"), await start("two")]
        try:
            region = {"county": X, "village": A}
            people = [hubs[0].people.person() | {"region": region} for _ in range(BURST)]
            signed = [hubs[0].sign("coord-a", coordinators_report(hubs[0], p)) for p in people]
            statuses = await asyncio.gather(
                *(send(hubs[i % 2], body) for i, body in enumerate(signed))
            )
            assert sorted(set(statuses)) == [202, 429], statuses
            assert statuses.count(202) == PER_HOUR
            assert await ledgered_reports(url) == PER_HOUR
        finally:
            for office in hubs:
                await office.client.close()  # before the database is dropped


@asynccontextmanager
async def sqlite_processes(
    client_for: Callable[..., Any], data: Path, count: int, **settings: Any
) -> AsyncIterator[list[Office]]:
    """``count`` hubs on one SQLite data folder, as ``certhub serve --processes count`` runs
    them: the first owns the ledger and serves its writer's socket, the others are ingress
    processes that read the file and hand every write to it."""
    keys = {party: SigningKey.generate() for party in [*PARTIES, *SCOPED]}
    first = await open_office(
        client_for, data, keys, units=UNITS, store=scoped_trust_store(keys), **settings
    )
    app = first.client.app
    ledger = app[STORE]
    assert isinstance(ledger, SqliteLedger)
    with tempfile.TemporaryDirectory(prefix="certhub-") as folder:  # a short socket path
        socket = Path(folder) / "ledger-writer.sock"
        writer = LedgerWriterServer(
            ledger, receipt_signers(app[KEYRING], first.settings.hub_id), socket
        )
        await writer.start()
        offices = [first]
        try:
            for _ in range(count - 1):
                config = first.settings.model_copy(
                    update={"role": "ingress", "ledger_writer": socket, "ministry_pull_seconds": 0}
                )
                ingress = create_app(config, registry=CollectorRegistry())
                ingress[NOTICE_SENDER] = LoggingNoticeSender()
                offices.append(Office(await client_for(ingress), config, keys))
            yield offices
        finally:
            for office in offices[1:]:
                await office.client.close()  # their last writes commit through the writer
            await writer.aclose()


def outcome(status: int, problem: dict[str, Any], headers: Any) -> str:
    """An answer told briefly: ``"accepted"``, or its status, problem type and whether its
    Retry-After is within the hour."""
    if status in (201, 202):
        return "accepted"
    wait = int(headers.get("Retry-After", "0"))
    return f"{status} {problem.get('type')} retry in {'an hour' if 0 < wait <= 3600 else wait}"


def exactly_the_bound(slug: str) -> list[str]:
    """The outcomes of :data:`BURST` sendings sorted: the bound accepted, the rest ``slug``."""
    refused = f"429 {problem_type_uri(slug)} retry in an hour"
    return sorted([refused] * (BURST - PER_HOUR) + ["accepted"] * PER_HOUR)


@pytest.mark.parametrize("processes", [2, 3])
async def test_a_burst_over_sqlite_processes_passes_exactly_the_bound(
    aiohttp_client: Callable[..., Any], tmp_path: Path, processes: int
) -> None:
    """A stolen phone's burst over many connections, which the kernel spreads over the
    processes of ``--processes N`` on the embedded ledger: each process's turns were its
    own, so up to N-1 reports more than the bound were recorded, each a review item."""
    async with sqlite_processes(
        aiohttp_client, tmp_path / "data", processes, coordinator_reports_per_hour=PER_HOUR
    ) as offices:
        region = {"county": X, "village": A}
        people = [offices[0].people.person() | {"region": region} for _ in range(BURST)]
        signed = [offices[0].sign("coord-a", coordinators_report(offices[0], p)) for p in people]

        async def report(office: Office, body: bytes) -> str:
            response = await office.client.post("/v1/reports", data=body, headers=JOSE)
            return outcome(response.status, await response.json(), response.headers)

        answers = [await report(offices[0], body) for body in signed[: PER_HOUR - 1]]
        answers += await asyncio.gather(  # at the bound's edge: each process counts the key's
            *(report(offices[i % processes], body) for i, body in enumerate(signed[PER_HOUR - 1 :]))
        )
        assert sorted(answers) == exactly_the_bound("reports-rate-limited"), answers
        with closing(sqlite3.connect(offices[0].settings.ledger_path)) as conn:
            (ledgered,) = conn.execute(
                "SELECT count(*) FROM ledger WHERE kind = 'report'"
            ).fetchone()
        assert ledgered == PER_HOUR


async def test_uploads_over_sqlite_processes_pass_exactly_the_bound(
    aiohttp_client: Callable[..., Any], tmp_path: Path
) -> None:
    """The same burst of evidence files: counted by the writer's audit links, stored in the
    folder all the processes share."""
    async with sqlite_processes(
        aiohttp_client, tmp_path / "data", 3, coordinator_uploads_per_hour=PER_HOUR
    ) as offices:

        async def upload(office: Office, serial: int) -> str:
            response = await office.client.post(
                "/v1/evidence",
                data=io.BytesIO(png(serial, f"a stolen phone's upload {serial}")),
                headers={"Content-Type": "image/png", **office.bearer("coord-a", scope="evidence")},
            )
            return outcome(response.status, await response.json(), response.headers)

        answers = [await upload(offices[0], i) for i in range(PER_HOUR - 1)]
        answers += await asyncio.gather(
            *(upload(offices[i % 3], i) for i in range(PER_HOUR - 1, BURST))
        )
        assert sorted(answers) == exactly_the_bound("uploads-rate-limited"), answers
