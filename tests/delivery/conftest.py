"""Fixtures of the delivery tests: a ledger per backend, a PostgreSQL database per test."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest
from procedurekit import PARTIES

from hub.store import SqliteLedger
from hub.store.postgres import PostgresLedger
from security import SigningKey

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


async def admin(sql: str) -> None:
    """Run one statement as the PostgreSQL superuser."""
    conn = await asyncpg.connect(ADMIN_URL, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _sync(sql: str) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(admin(sql))).result()


@pytest.fixture
def database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped after it."""
    name = f"certhub_delivery_{secrets.token_hex(6)}"
    _sync(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        _sync(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
async def ledger(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[SqliteLedger | PostgresLedger]:
    """An empty ledger of each backend."""
    store: SqliteLedger | PostgresLedger
    if request.param == "sqlite":
        store = await SqliteLedger.open(tmp_path / "ledger.sqlite3")
    else:
        store = await PostgresLedger.open(request.getfixturevalue("database_url"))
    yield store
    await store.aclose()


@pytest.fixture
def keys() -> dict[str, SigningKey]:
    """One key per party of the procedure."""
    return {party: SigningKey.generate() for party in PARTIES}
