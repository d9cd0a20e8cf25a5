"""Ledgers of both backends for suites that run once per backend: SQLite and PostgreSQL.

A suite's ``conftest.py`` imports the fixtures :func:`postgres_url` (a database of the
suite's own for the run) and :func:`ledger_factory` (parametrised over :data:`BACKENDS`,
empty for each test); tests annotate the latter with :class:`Backend` (imported from
here: conftest modules are not importable by name). A test that needs just one open
ledger for its whole run takes :func:`ledger` instead.

PostgreSQL must be reachable at 127.0.0.1:5432 (``tests/ensure_services.sh`` starts
it): when it is not, every PostgreSQL test errors rather than skips, so CI cannot pass
without exercising the real database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from pgkit import throwaway_database

from certhub.hub.store import SqliteLedger
from certhub.hub.store.postgres import PostgresLedger

Ledger = SqliteLedger | PostgresLedger
BACKENDS = ["sqlite", "postgres"]


async def reset_database(url: str) -> None:
    """Empty a test database: each test starts from an unmigrated, empty schema."""
    conn = await asyncpg.connect(url, timeout=10)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


@dataclass
class Backend:
    """Opens ledgers of one backend at one location (per test) and closes what a test left."""

    name: str
    location: str  # the SQLite file or the PostgreSQL URL
    opened: list[Ledger] = field(default_factory=list)

    async def open(self, **options: Any) -> Ledger:
        """A writable, migrated ledger (``SqliteLedger.open`` / ``PostgresLedger.open`` options)."""
        ledger: Ledger
        if self.name == "sqlite":
            ledger = await SqliteLedger.open(Path(self.location), **options)
        else:
            ledger = await PostgresLedger.open(self.location, **options)
        self.opened.append(ledger)
        return ledger

    async def create(self) -> None:
        """A new ledger here at today's schema, closed again: for a test that reads its plans
        or changes it with raw SQL (:meth:`execute`) before opening it."""
        await (await self.open()).aclose()

    async def open_read_only(self) -> Ledger:
        """A read-only view beside a writer."""
        ledger: Ledger
        if self.name == "sqlite":
            ledger = await SqliteLedger.open_read_only(Path(self.location))
        else:
            ledger = await PostgresLedger.open_read_only(self.location)
        self.opened.append(ledger)
        return ledger

    async def execute(self, *statements: str) -> None:
        """Run raw SQL behind the ledger's back (to tamper with it or rewind its schema)."""
        if self.name == "sqlite":
            conn = sqlite3.connect(self.location)
            try:
                for sql in statements:
                    conn.execute(sql)
                conn.commit()
            finally:
                conn.close()
            return
        pg = await asyncpg.connect(self.location, timeout=10)
        try:
            for sql in statements:
                await pg.execute(sql)
        finally:
            await pg.close()

    async def release(self) -> None:
        """Close PostgreSQL pools a failed test left open (SQLite closes with its test)."""
        for ledger in self.opened:
            if isinstance(ledger, PostgresLedger) and not ledger._pool.is_closing():
                ledger.terminate()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database ``certhub_test_<random>`` for the suite's run, dropped at the end."""
    with throwaway_database("certhub_test") as url:
        yield url


async def empty_backend(
    request: pytest.FixtureRequest, tmp_path: Path, database_fixture: str
) -> Backend:
    """The backend ``request.param`` names, empty: a new SQLite file in ``tmp_path``, or
    the run's PostgreSQL database (the URL fixture ``database_fixture``) emptied."""
    if request.param == "sqlite":
        return Backend("sqlite", str(tmp_path / "ledger.db"))
    url: str = request.getfixturevalue(database_fixture)
    await reset_database(url)
    return Backend("postgres", url)


@pytest.fixture(params=BACKENDS)
async def ledger_factory(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """The backend under test, with an empty ledger location."""
    backend = await empty_backend(request, tmp_path, "postgres_url")
    yield backend
    await backend.release()


@pytest.fixture
async def ledger(ledger_factory: Backend) -> AsyncIterator[Ledger]:
    """One writable ledger of the backend under test, open for the whole test."""
    opened = await ledger_factory.open()
    yield opened
    await opened.aclose()
