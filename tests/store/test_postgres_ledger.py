"""What only the PostgreSQL ledger does: several writers, migrations, `certhub db upgrade`.

Every test here needs the real PostgreSQL at 127.0.0.1:5432 and fails (never
skips) without it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from hub_fixtures import started_hub
from ledgerkit import receipt, unsigned_message

from certhub.hub.cli.main import main
from certhub.hub.core.settings import Settings
from certhub.hub.store import NewMessage, RecordKind, StoreUnavailable
from certhub.hub.store.audit_chain import first_broken
from certhub.hub.store.postgres import PostgresLedger
from certhub.hub.store.tables import LADDER
from certhub.security import SigningKey


def message(n: int, sender: str) -> NewMessage:
    return unsigned_message(n, jws=f"{sender}-{n}".encode(), sender=sender)


async def test_two_writers_on_one_database_commit_in_sequence_order(pg_url: str) -> None:
    """Two hub processes' ledgers append at once while the provincial pull pages along."""
    per_writer = 400
    first = await PostgresLedger.open(pg_url, batch_max=8)  # small batches: many interleavings
    second = await PostgresLedger.open(pg_url, batch_max=8)
    reader = await PostgresLedger.open_read_only(pg_url)
    writers_done = asyncio.Event()
    pulled: list[int] = []

    async def pull() -> None:
        cursor = 0
        while True:
            finished = writers_done.is_set()  # checked before the page: that page sees all
            page = await reader.page_all(cursor, 50)
            for record in page:
                assert record.sequence == cursor + 1, f"the pull skipped {cursor + 1}"
                cursor = record.sequence
                pulled.append(cursor)
            if finished and not page:
                return

    puller = asyncio.create_task(pull())
    outcomes = await asyncio.gather(
        *(first.append(message(n, "a"), receipt) for n in range(per_writer)),
        *(second.append(message(n, "b"), receipt) for n in range(per_writer)),
    )
    writers_done.set()
    await asyncio.wait_for(puller, timeout=60)

    total = 2 * per_writer
    assert sorted(o.record.sequence for o in outcomes) == list(range(1, total + 1))
    assert all(o.record.receipt == receipt(o.record.sequence) for o in outcomes)
    assert pulled == list(range(1, total + 1))
    entries = await reader.audit_entries(0, 10 * total)
    assert len(entries) == total
    assert first_broken(entries) is None
    assert sorted(int(e.subject) for e in entries) == list(range(1, total + 1))
    for ledger in (first, second, reader):
        await ledger.aclose()


async def test_both_writers_checkpoint_one_chain(pg_url: str) -> None:
    def sign(seq: int, head: str) -> str:
        return f"signed:{seq}:{head}"

    first = await PostgresLedger.open(pg_url, checkpoint=sign, checkpoint_every=10)
    second = await PostgresLedger.open(pg_url, checkpoint=sign, checkpoint_every=10)
    for n in range(15):
        await first.append(message(n, "a"), receipt)
        await second.append(message(n, "b"), receipt)
    await first.aclose()
    await second.aclose()
    reader = await PostgresLedger.open_read_only(pg_url)
    heads = {e.seq: e.hash for e in await reader.audit_entries(0, 100)}
    checkpoints = await reader.audit_checkpoints()
    assert [c[0] for c in checkpoints] == [10, 20, 30]
    assert all(h == heads[s] for s, h, _ in checkpoints)
    await reader.aclose()


async def test_migrations_run_once_even_when_hubs_start_together(pg_url: str) -> None:
    ledgers = await asyncio.gather(*(PostgresLedger.open(pg_url) for _ in range(3)))
    conn = await asyncpg.connect(pg_url)
    try:
        versions = await conn.fetch("SELECT version FROM schema_version ORDER BY version")
    finally:
        await conn.close()
    assert [row["version"] for row in versions] == list(range(1, len(LADDER) + 1))
    for ledger in ledgers:
        await ledger.aclose()


async def test_db_upgrade_command_migrates_and_prints_the_version(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = await asyncio.to_thread(main, ["db", "upgrade", "--database-url", pg_url])
    assert status == 0
    assert capsys.readouterr().out.strip() == f"ledger schema version {len(LADDER)}"
    reader = await PostgresLedger.open_read_only(pg_url)  # the schema is there now
    assert await reader.count() == 0
    await reader.aclose()


async def test_db_upgrade_reports_an_unreachable_database(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "postgresql://postgres@127.0.0.1:1/certhub"
    status = await asyncio.to_thread(main, ["db", "upgrade", "--database-url", url])
    assert status == 2
    assert "cannot upgrade the ledger database" in capsys.readouterr().err


async def test_unreachable_or_empty_database_is_unavailable(pg_url: str) -> None:
    with pytest.raises(StoreUnavailable, match="cannot reach"):
        await PostgresLedger.open("postgresql://postgres@127.0.0.1:1/certhub")
    with pytest.raises(StoreUnavailable, match="no certhub ledger"):
        await PostgresLedger.open_read_only(pg_url)


async def test_a_lost_connection_fails_the_batch_and_the_next_one_recovers(pg_url: str) -> None:
    ledger = await PostgresLedger.open(pg_url, pool_size=1)
    await ledger.append(message(1, "a"), receipt)
    admin = await asyncpg.connect(pg_url)
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    try:
        await ledger.append(message(2, "a"), receipt)
    except StoreUnavailable:
        await ledger.append(message(2, "a"), receipt)  # the client's retry
    again = await ledger.append(message(2, "a"), receipt)
    assert again.created is False
    assert again.record.sequence == 2
    await ledger.ping()
    await ledger.aclose()


async def test_the_hub_stores_in_postgresql_when_a_database_url_is_set(
    pg_url: str, aiohttp_client: Callable[..., Any], tmp_path: Path
) -> None:
    keys = {party: SigningKey.generate() for party in ("city", "other-city", "channel", "province")}
    settings = Settings(data_dir=tmp_path / "data", database_url=pg_url)
    hub = await started_hub(aiohttp_client, settings, keys)
    status, body = await hub.push(hub.sign(hub.report()))
    assert status == 202, body
    status, page = await hub.pull()
    assert status == 200
    assert len(page["items"]) == 1
    await hub.client.close()
    reader = await PostgresLedger.open_read_only(pg_url)
    assert await reader.count(RecordKind.REPORT) == 1
    assert await reader.audit_checkpoints()  # signed with the hub's key at shutdown
    await reader.aclose()


async def test_a_batch_with_stored_messages_and_copies_stores_each_new_one_once(
    pg_url: str,
) -> None:
    """The one-statement insert assumes nothing in a batch is stored; when that fails it must
    fall back without a gap in sequences or a broken audit chain."""
    ledger = await PostgresLedger.open(pg_url)
    first = await ledger.append(message(1, "a"), receipt)
    resent = await asyncio.gather(  # one batch: a re-send and two new messages
        ledger.append(message(1, "a"), receipt),
        ledger.append(message(2, "a"), receipt),
        ledger.append(message(3, "a"), receipt),
    )
    copies = await asyncio.gather(  # one batch holding the same new message twice
        ledger.append(message(4, "a"), receipt),
        ledger.append(message(4, "a"), receipt),
    )
    following = await ledger.append(message(5, "a"), receipt)
    assert [o.created for o in resent] == [False, True, True]
    assert resent[0].record == first.record
    assert sorted(o.record.sequence for o in resent[1:]) == [2, 3]
    assert sorted(o.created for o in copies) == [False, True]
    assert copies[0].record.sequence == copies[1].record.sequence == 4
    assert following.record.sequence == 5
    entries = await ledger.audit_entries(0, 100)
    assert [int(e.subject) for e in entries] == [1, 2, 3, 4, 5]
    assert first_broken(entries) is None
    await ledger.aclose()
