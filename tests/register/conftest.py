"""Ledgers of both backends for the register suite (an empty SQLite file, a throw-away database)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from hub_fixtures import hub, hub_factory, party_keys
from pgkit import throwaway_database
from procedurekit import PARTIES, Office, trust_store
from prometheus_client import CollectorRegistry

from certhub.hub.core.keys import NOTICE_SENDER
from certhub.hub.core.settings import Settings
from certhub.hub.delivery.notices import LoggingNoticeSender
from certhub.hub.runtime.app import create_app
from certhub.hub.store import SqliteLedger
from certhub.hub.store.postgres import PostgresLedger
from certhub.security import SigningKey

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


@pytest.fixture
async def office(aiohttp_client: Callable[..., Any], tmp_path: Path) -> Office:
    """A hub with a party in every role (no e-ID service: the identity check is off)."""
    keys = {party: SigningKey.generate() for party in PARTIES}
    settings = Settings(data_dir=tmp_path / "data", identity_check="off")
    settings.data_dir.mkdir(parents=True)
    trust_store(keys).save(settings.trust_store_path)
    app = create_app(settings, registry=CollectorRegistry())
    app[NOTICE_SENDER] = LoggingNoticeSender()
    return Office(await aiohttp_client(app), settings, keys)
