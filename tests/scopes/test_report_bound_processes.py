"""The bound of a coordinator key's reports holds across the hub's processes on PostgreSQL.

Each process let a key's reports take turns (:class:`~certhub.hub.api.report_bound.KeyTurns`),
but only among its own requests: a burst spread over two processes had each count the
key's reports while the other's last one was not yet recorded, and at the bound's edge
both passed, one report over the bound for each process more. Here two hubs share one
PostgreSQL database, as two processes of a deployment do.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
from hubkit import JOSE
from pgkit import throwaway_database
from procedurekit import PARTIES, Office, open_office
from scopekit import SCOPED, UNITS, A, X, coordinators_report, scoped_trust_store

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
