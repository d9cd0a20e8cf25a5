"""Fixtures: the procedure's hub (every party), and its reporting units."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from procedurekit import PARTIES, UNITS, Office, open_office

from certhub.security import SigningKey

BASE = "https://hub.example.gd.gov.cn"


@pytest.fixture
def keys() -> dict[str, SigningKey]:
    """One key per party."""
    return {party: SigningKey.generate() for party in PARTIES}


@pytest.fixture
async def office(
    aiohttp_client: Callable[..., Any], tmp_path: Path, keys: dict[str, SigningKey]
) -> Office:
    """A running hub with rating links in its SMS and three reporting villages."""
    return await open_office(
        aiohttp_client, tmp_path / "data", keys, units=UNITS, rating_base_url=BASE
    )
