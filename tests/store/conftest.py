"""Ledger backends for the store suite: SQLite in a temporary folder, PostgreSQL in a
database of its own per test run.

PostgreSQL must be reachable at 127.0.0.1:5432 (``tests/ensure_services.sh``
starts it): when it is not, every PostgreSQL test errors rather than skips,
so CI cannot pass without exercising the real database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from pgkit import throwaway_database

from certhub.hub.store import SqliteLedger
from certhub.hub.store.postgres import PostgresLedger

T = TypeVar("T")

Ledger = SqliteLedger | PostgresLedger


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database ``certhub_test_<random>`` for this run, dropped at the end."""
    with throwaway_database("certhub_test") as url:
        yield url


async def reset_database(url: str) -> None:
    """Empty the test database: each test starts from an unmigrated, empty schema."""
    conn = await asyncpg.connect(url, timeout=10)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


@dataclass
class Backend:
    """Opens ledgers of one backend on one (per-test) database."""

    name: str
    location: str  # the SQLite file or the PostgreSQL URL
    opened: list[Ledger] = field(default_factory=list)

    async def open(self, **options: Any) -> Ledger:
        """A writable ledger (``SqliteLedger.open`` / ``PostgresLedger.open`` options)."""
        ledger: Ledger
        if self.name == "sqlite":
            ledger = await SqliteLedger.open(Path(self.location), **options)
        else:
            ledger = await PostgresLedger.open(self.location, **options)
        self.opened.append(ledger)
        return ledger

    async def open_read_only(self) -> Ledger:
        """A read-only view beside a writer."""
        ledger: Ledger
        if self.name == "sqlite":
            ledger = await SqliteLedger.open_read_only(Path(self.location))
        else:
            ledger = await PostgresLedger.open_read_only(self.location)
        self.opened.append(ledger)
        return ledger

    async def execute(self, sql: str) -> None:
        """Run raw SQL behind the ledger's back (to tamper with it)."""
        if self.name == "sqlite":
            conn = sqlite3.connect(self.location)
            try:
                conn.execute(sql)
                conn.commit()
            finally:
                conn.close()
            return
        pg = await asyncpg.connect(self.location, timeout=10)
        try:
            await pg.execute(sql)
        finally:
            await pg.close()

    async def release(self) -> None:
        """Close PostgreSQL pools a failed test left open (SQLite closes with its test)."""
        for ledger in self.opened:
            if isinstance(ledger, PostgresLedger) and not ledger._pool.is_closing():
                ledger.terminate()


@pytest.fixture(params=["sqlite", "postgres"])
async def ledger_factory(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """The backend under test, with an empty ledger location."""
    if request.param == "sqlite":
        backend = Backend("sqlite", str(tmp_path / "ledger.db"))
    else:
        url: str = request.getfixturevalue("postgres_url")
        await reset_database(url)
        backend = Backend("postgres", url)
    yield backend
    await backend.release()


@pytest.fixture
async def pg_url(postgres_url: str) -> str:
    """The run's PostgreSQL database, emptied for this test."""
    await reset_database(postgres_url)
    return postgres_url
