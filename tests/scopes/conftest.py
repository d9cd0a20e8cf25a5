"""Fixtures: a hub with records in villages A–D and readers confined to areas (scopekit)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from procedurekit import PARTIES, Office, open_office
from scopekit import SCOPED, UNITS, World, build_world, office_on, scoped_trust_store

from certhub.security import SigningKey


@pytest.fixture
async def office(aiohttp_client: Callable[..., Any], tmp_path: Path) -> Office:
    """A running hub whose trust store has every procedure party and the scoped readers."""
    keys = {party: SigningKey.generate() for party in [*PARTIES, *SCOPED]}
    store = scoped_trust_store(keys)
    return await open_office(aiohttp_client, tmp_path / "data", keys, units=UNITS, store=store)


@pytest.fixture(params=["sqlite", "postgres"])
async def office_db(
    request: pytest.FixtureRequest, aiohttp_client: Callable[..., Any], tmp_path: Path
) -> AsyncIterator[Office]:
    """:func:`office` on SQLite, then on a PostgreSQL database of its own."""
    keys = {party: SigningKey.generate() for party in [*PARTIES, *SCOPED]}
    store = scoped_trust_store(keys)
    async with office_on(request.param, aiohttp_client, tmp_path / "data", keys, store) as office:
        yield office


@pytest.fixture
async def world(office: Office) -> World:
    """Reports, tasks, outcomes, a zero report, certifications and a restoration in A–D."""
    return await build_world(office)
