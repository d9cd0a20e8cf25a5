"""Fixtures: a hub whose county reviewers may issue enrolment codes (enrolkit)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from enrolkit import ENROLLERS, County, staff_trust_store
from procedurekit import PARTIES, open_office

from certhub.security import SigningKey


@pytest.fixture
def county_settings() -> dict[str, Any]:
    """Settings of :func:`county` beyond its own (a test parametrizes this to change them)."""
    return {}


@pytest.fixture
async def county(
    aiohttp_client: Callable[..., Any], tmp_path: Path, county_settings: dict[str, Any]
) -> County:
    """A running hub; county-x (440103) and county-all may enrol, town-x may not by role."""
    keys = {party: SigningKey.generate() for party in [*PARTIES, *ENROLLERS]}
    store = staff_trust_store(keys)
    office = await open_office(
        aiohttp_client,
        tmp_path / "data",
        keys,
        store=store,
        trust_reload_seconds=0.1,
        **county_settings,
    )
    return County(office)
