"""Fixtures: a hub with a party in every role, and its reporting units."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from procedurekit import PARTIES, UNITS, Office, open_office

from certhub.security import SigningKey


@pytest.fixture
def keys() -> dict[str, SigningKey]:
    """One key per party."""
    return {party: SigningKey.generate() for party in PARTIES}


@pytest.fixture
async def office(
    aiohttp_client: Callable[..., Any], tmp_path: Path, keys: dict[str, SigningKey]
) -> Office:
    """A running hub without department adapters; its notifier records every SMS.

    The e-ID check is off here (no e-ID service); ``test_departments.py``
    runs the same procedure against the mock departments with it on.
    """
    return await open_office(aiohttp_client, tmp_path / "data", keys, units=UNITS)
