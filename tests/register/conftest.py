"""Ledgers of both backends for the register suite (an empty SQLite file, a throw-away database)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from hub_fixtures import hub, hub_factory, party_keys
from ledger_backends import ledger, ledger_factory, postgres_url
from pgkit import throwaway_database
from procedurekit import PARTIES, Office, open_office

from certhub.security import SigningKey

# a running hub for the API tests; both ledger backends from the shared kit
__all__ = ["hub", "hub_factory", "ledger", "ledger_factory", "party_keys", "postgres_url"]


@pytest.fixture
def office_settings() -> dict[str, Any]:
    """Settings of :func:`office` and :func:`office_db` beyond :func:`procedurekit.open_office`'s
    (none here; a module overrides this fixture for its own)."""
    return {}


@pytest.fixture
async def office(
    aiohttp_client: Callable[..., Any], tmp_path: Path, office_settings: dict[str, Any]
) -> Office:
    """A hub with a party in every role (no e-ID service: the identity check is off)."""
    keys = {party: SigningKey.generate() for party in PARTIES}
    return await open_office(aiohttp_client, tmp_path / "data", keys, **office_settings)


@pytest.fixture(params=["sqlite", "postgresql"])
async def office_db(
    request: pytest.FixtureRequest,
    aiohttp_client: Callable[..., Any],
    tmp_path: Path,
    office_settings: dict[str, Any],
) -> AsyncIterator[Office]:
    """:func:`office` on SQLite, then on a PostgreSQL database of its own (closed before
    its database is dropped)."""
    keys = {party: SigningKey.generate() for party in PARTIES}
    if request.param == "sqlite":
        yield await open_office(aiohttp_client, tmp_path / "data", keys, **office_settings)
        return
    with throwaway_database("certhub_register_office") as url:
        office = await open_office(
            aiohttp_client, tmp_path / "data", keys, database_url=url, **office_settings
        )
        try:
            yield office
        finally:
            await office.client.close()
