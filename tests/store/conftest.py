"""Ledger backends for the store suite: SQLite in a temporary folder, PostgreSQL in a
database of its own per test run.

PostgreSQL must be reachable at 127.0.0.1:5432 (``tests/ensure_services.sh``
starts it): when it is not, every PostgreSQL test errors rather than skips,
so CI cannot pass without exercising the real database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from ledger_backends import BACKENDS, Backend, empty_backend, reset_database
from pgkit import throwaway_database


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database ``certhub_test_<random>`` for this run, dropped at the end."""
    with throwaway_database("certhub_test") as url:
        yield url


@pytest.fixture(params=BACKENDS)
async def ledger_factory(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """The backend under test, with an empty ledger location."""
    backend = await empty_backend(request, tmp_path, "postgres_url")
    yield backend
    await backend.release()


@pytest.fixture
async def pg_url(postgres_url: str) -> str:
    """The run's PostgreSQL database, emptied for this test."""
    await reset_database(postgres_url)
    return postgres_url
