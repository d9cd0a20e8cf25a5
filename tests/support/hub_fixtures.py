"""Shared fixtures: a running hub on 127.0.0.1 with a trust store of test parties.

Import them into a ``conftest.py``: ``from hub_fixtures import hub, hub_factory, party_keys``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hubkit import Hub, write_trust_store
from prometheus_client import CollectorRegistry

from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.security import SigningKey


async def started_hub(
    aiohttp_client: Callable[..., Any], settings: Settings, keys: dict[str, SigningKey]
) -> Hub:
    """A hub on ``settings`` in a test client; its trust store enrols ``keys``' parties."""
    write_trust_store(settings.trust_store_path, keys)
    client = await aiohttp_client(create_app(settings, registry=CollectorRegistry()))
    return Hub(client, settings, keys)


@pytest.fixture
def party_keys() -> dict[str, SigningKey]:
    """One key per party."""
    parties = ("city", "other-city", "channel", "province", "intruder")
    return {party: SigningKey.generate() for party in parties}


@pytest.fixture
def hub_factory(
    aiohttp_client: Callable[..., Any], tmp_path: Path, party_keys: dict[str, SigningKey]
) -> Callable[..., Any]:
    """Start a hub with optional settings overrides."""

    async def start(**overrides: Any) -> Hub:
        settings = Settings(data_dir=tmp_path / "data", **overrides)
        return await started_hub(aiohttp_client, settings, party_keys)

    return start


@pytest.fixture
async def hub(hub_factory: Callable[..., Any]) -> Hub:
    """A hub with default settings."""
    started: Hub = await hub_factory()
    return started
