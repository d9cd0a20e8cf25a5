"""Ledgers of both backends for the register suite (an empty SQLite file, a throw-away database)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hub_fixtures import hub, hub_factory, party_keys
from ledger_backends import BACKENDS, Backend, empty_backend
from pgkit import throwaway_database
from procedurekit import PARTIES, Office, open_office

from certhub.security import SigningKey

__all__ = ["hub", "hub_factory", "party_keys"]  # a running hub for the API tests


@pytest.fixture(scope="session")
def register_pg_url() -> Iterator[str]:
    """A database of its own for this run, dropped at the end."""
    with throwaway_database("certhub_register") as url:
        yield url


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """The backend under test, empty."""
    found = await empty_backend(request, tmp_path, "register_pg_url")
    yield found
    await found.release()


@pytest.fixture
async def office(aiohttp_client: Callable[..., Any], tmp_path: Path) -> Office:
    """A hub with a party in every role (no e-ID service: the identity check is off)."""
    keys = {party: SigningKey.generate() for party in PARTIES}
    return await open_office(aiohttp_client, tmp_path / "data", keys)
