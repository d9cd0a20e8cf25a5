"""Fixtures: a hub whose county reviewers may issue enrolment codes (enrolkit)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from enrolkit import ENROLLERS, STAFF_TYPES, County
from procedurekit import PARTIES, open_office, trust_store

from certhub.security import SigningKey, parse_area


@pytest.fixture
def keys() -> dict[str, SigningKey]:
    """One key per party, the enrolling staff included."""
    return {party: SigningKey.generate() for party in [*PARTIES, *ENROLLERS]}


@pytest.fixture
async def county(
    aiohttp_client: Callable[..., Any], tmp_path: Path, keys: dict[str, SigningKey]
) -> County:
    """A running hub; county-x (440103) and county-all may enrol, town-x may not by role."""
    store = trust_store(keys)
    for party, (role, area) in ENROLLERS.items():
        store = store.add(
            keys[party].public_jwk(),
            sender=party,
            may_send=[*STAFF_TYPES, "decision/v1"],
            may_read=True,
            role=role,
            area=None if area is None else parse_area(area),
        )
    office = await open_office(
        aiohttp_client, tmp_path / "data", keys, store=store, trust_reload_seconds=0.1
    )
    return County(office)
