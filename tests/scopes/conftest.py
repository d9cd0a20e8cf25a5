"""Fixtures: a hub with records in villages A–D and readers confined to areas (scopekit)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from procedurekit import PARTIES, Office, trust_store
from prometheus_client import CollectorRegistry
from scopekit import SCOPED, UNITS, World, build_world

from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
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
    settings = Settings(data_dir=tmp_path / "data", identity_check="off")
    settings.data_dir.mkdir(parents=True)
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
    store.save(settings.trust_store_path)
    settings.reporting_units_path.write_text(UNITS, encoding="utf-8")
    client = await aiohttp_client(create_app(settings, registry=CollectorRegistry()))
    return Office(client, settings, keys)


@pytest.fixture
async def world(office: Office) -> World:
    """Reports, tasks, outcomes, a zero report, certifications and a restoration in A–D."""
    return await build_world(office)
