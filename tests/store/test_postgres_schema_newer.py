"""A hub process older than its database's schema is refused at start, not run against it.

Machines of one deployment are upgraded one at a time: a newer release
migrates the shared database at its first start, and a process of the older
release that starts after it (a crash restart, the machine not upgraded yet)
ran against tables it does not know — writing, for instance, roster stamps in
UTC after the migration had rewritten them all to China time.
"""

from __future__ import annotations

import asyncpg
import pytest

from certhub.hub.store import StoreUnavailable
from certhub.hub.store.postgres import PostgresLedger
from certhub.hub.store.postgres.schema import upgrade
from certhub.hub.store.tables import LADDER


async def opened_and_closed(url: str) -> None:
    """Open a ledger on ``url`` and close it again (nothing left open when it opens)."""
    ledger = await PostgresLedger.open(url)
    await ledger.aclose()


async def test_a_database_migrated_by_a_newer_release_refuses_an_older_process(
    pg_url: str,
) -> None:
    await upgrade(pg_url)
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", len(LADDER) + 1)
    finally:
        await conn.close()
    newer = f"schema version {len(LADDER) + 1}"
    with pytest.raises(StoreUnavailable, match=newer):
        await opened_and_closed(pg_url)
    with pytest.raises(StoreUnavailable, match=newer):
        await upgrade(pg_url)
