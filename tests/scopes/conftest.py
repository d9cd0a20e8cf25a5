"""Fixtures: a hub with records in villages A–D and readers confined to areas (scopekit)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from procedurekit import PARTIES, Office, open_office, trust_store
from scopekit import SCOPED, UNITS, World, build_world

from certhub.security import SigningKey, parse_area


@pytest.fixture
def keys() -> dict[str, SigningKey]:
    """One key per party, scoped readers included."""
    return {party: SigningKey.generate() for party in [*PARTIES, *SCOPED]}


@pytest.fixture
async def office(
    aiohttp_client: Callable[..., Any], tmp_path: Path, keys: dict[str, SigningKey]
) -> Office:
    """A running hub whose trust store has every procedure party and the scoped readers."""
    store = trust_store(keys)
    for party, (role, area) in SCOPED.items():
        store = store.add(
            keys[party].public_jwk(),
            sender=party,
            may_send=["eligibility_report/v1", "zero_report/v1"] if role == "coordinator" else [],
            may_read=True,
            role=role,
            area=parse_area(area),
        )
    return await open_office(aiohttp_client, tmp_path / "data", keys, units=UNITS, store=store)


@pytest.fixture
async def world(office: Office) -> World:
    """Reports, tasks, outcomes, a zero report, certifications and a restoration in A–D."""
    return await build_world(office)
