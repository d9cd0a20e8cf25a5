"""Fixtures: a hub whose county reviewers may issue enrolment codes (enrolkit)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from enrolkit import ENROLLERS, STAFF_TYPES, County
from procedurekit import PARTIES, Office, trust_store
from prometheus_client import CollectorRegistry

from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
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
    settings = Settings(data_dir=tmp_path / "data", identity_check="off", trust_reload_seconds=0.1)
    settings.data_dir.mkdir(parents=True)
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
    store.save(settings.trust_store_path)
    client = await aiohttp_client(create_app(settings, registry=CollectorRegistry()))
    return County(Office(client, settings, keys))
