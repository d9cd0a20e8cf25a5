"""Fixtures of the delivery tests: a ledger per backend, a PostgreSQL database per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pgkit import throwaway_database
from procedurekit import PARTIES

from certhub.hub.store import SqliteLedger
from certhub.hub.store.postgres import PostgresLedger
from certhub.security import SigningKey


@pytest.fixture
def database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped after it."""
    with throwaway_database("certhub_delivery") as url:
        yield url


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
