"""Shared fixtures: the procedure's hub with a party in every role (procedurekit).

Import them into a ``conftest.py``: ``from procedure_fixtures import keys, office``; a
suite that needs other settings overrides :func:`office_settings` there, other reporting
villages (or none) :func:`office_units`. A test that must hold on both store backends takes
:func:`office_db` instead of :func:`office`; one that stops and starts the hub again (a
roster import, a migration) takes :func:`office_on_ledger`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pgkit import throwaway_database
from procedurekit import PARTIES, UNITS, Office, open_office

from certhub.security import SigningKey


@pytest.fixture
def keys() -> dict[str, SigningKey]:
    """One key per party."""
    return {party: SigningKey.generate() for party in PARTIES}


@pytest.fixture
def office_settings() -> dict[str, Any]:
    """Settings of :func:`office` beyond :func:`procedurekit.open_office`'s (none here)."""
    return {}


@pytest.fixture
def office_units() -> str | None:
    """The reporting units file of :func:`office` and :func:`office_db`: three villages
    (:data:`procedurekit.UNITS`); a suite that wants none overrides this with None."""
    return UNITS


@pytest.fixture
async def office(
    aiohttp_client: Callable[..., Any],
    tmp_path: Path,
    keys: dict[str, SigningKey],
    office_units: str | None,
    office_settings: dict[str, Any],
) -> Office:
    """A running hub without department adapters and with the reporting villages of
    :func:`office_units`; its notifier records every SMS.

    The e-ID check is off (no e-ID service); ``tests/procedure/test_departments.py``
    runs the same procedure against the mock departments with it on.
    """
    return await open_office(
        aiohttp_client, tmp_path / "data", keys, units=office_units, **office_settings
    )


@pytest.fixture(params=["sqlite", "postgres"])
async def office_db(
    request: pytest.FixtureRequest,
    aiohttp_client: Callable[..., Any],
    tmp_path: Path,
    *,
    keys: dict[str, SigningKey],
    office_units: str | None,
    office_settings: dict[str, Any],
) -> AsyncIterator[Office]:
    """:func:`office` on SQLite, then on a PostgreSQL database of its own (a deployment's
    keys live in its database, sealed by the data folder's key)."""
    data = tmp_path / "data"
    if request.param == "sqlite":
        yield await open_office(aiohttp_client, data, keys, units=office_units, **office_settings)
        return
    with throwaway_database("certhub_office") as url:
        office = await open_office(
            aiohttp_client, data, keys, units=office_units, database_url=url, **office_settings
        )
        yield office
        await office.client.close()


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The ledger's URL: None for SQLite in the data folder, else a PostgreSQL database of
    the test's own, dropped at the end."""
    if request.param == "sqlite":
        yield None
        return
    with throwaway_database("certhub_ledger") as url:
        yield url


@pytest.fixture
async def office_on_ledger(
    ledger_url: str | None,  # first: its database outlives every client the test opens
    aiohttp_client: Callable[..., Any],
    tmp_path: Path,
    keys: dict[str, SigningKey],
) -> Office:
    """:func:`office` on :func:`ledger_url`'s ledger, for a test that stops the hub and
    starts it again (its new client from ``aiohttp_client``). Every client must close before
    the database is dropped: a test taking other fixtures that use ``aiohttp_client`` names
    this one first."""
    return await open_office(
        aiohttp_client, tmp_path / "data", keys, units=UNITS, database_url=ledger_url
    )
