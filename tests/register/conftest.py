"""Ledgers of both backends for the register suite (an empty SQLite file, a throw-away database)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from hub_fixtures import hub, hub_factory, party_keys
from pgkit import throwaway_database

from certhub.hub.store import SqliteLedger
from certhub.hub.store.postgres import PostgresLedger

Ledger = SqliteLedger | PostgresLedger
__all__ = ["hub", "hub_factory", "party_keys"]  # a running hub for the API tests


@pytest.fixture(scope="session")
def register_pg_url() -> Iterator[str]:
    """A database of its own for this run, dropped at the end."""
    with throwaway_database("certhub_register") as url:
        yield url


class Backend:
    """Opens ledgers of one dialect at one location and closes them after the test."""

    def __init__(self, name: str, location: str) -> None:
        self.name, self.location = name, location
        self.opened: list[Ledger] = []

    async def open(self) -> Ledger:
        """A writable, migrated ledger."""
        ledger: Ledger
        if self.name == "sqlite":
            ledger = await SqliteLedger.open(Path(self.location))
        else:
            ledger = await PostgresLedger.open(self.location)
        self.opened.append(ledger)
        return ledger

    async def execute(self, *statements: str) -> None:
        """Run raw SQL behind the ledger's back (to rewind its schema)."""
        if self.name == "sqlite":
            import sqlite3

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


@pytest.fixture(params=["sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """The backend under test, empty."""
    if request.param == "sqlite":
        found = Backend("sqlite", str(tmp_path / "ledger.db"))
    else:
        url: str = request.getfixturevalue("register_pg_url")
        conn = await asyncpg.connect(url, timeout=10)
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        finally:
            await conn.close()
        found = Backend("postgres", url)
    yield found
    for ledger in found.opened:
        if isinstance(ledger, PostgresLedger) and not ledger._pool.is_closing():
            ledger.terminate()
