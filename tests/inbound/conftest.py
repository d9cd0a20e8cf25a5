"""A running hub with the inbound adapters configured against the mock departments."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from banksupport import Topology, amqp, dead_lettered, publisher, topology
from hub_fixtures import party_keys, started_hub
from hubkit import Hub
from inboundkit import Departments, inbound_settings

from certhub.hub.core.settings import Settings
from certhub.mocks.bank import BankTerminalPublisher
from certhub.mocks.channels import CHANNELS, ChannelCallbacks
from certhub.mocks.city_platforms import YunfuPlatform, ZhaoqingPlatform
from certhub.security import SigningKey

# RabbitMQ fixtures of the bank suites
__all__ = ["amqp", "dead_lettered", "party_keys", "publisher", "topology"]


@pytest.fixture
def departments() -> Departments:
    return Departments(
        YunfuPlatform(), ZhaoqingPlatform(), {name: ChannelCallbacks(name) for name in CHANNELS}
    )


@pytest.fixture
def inbound_hub_factory(
    aiohttp_client: Callable[..., Any],
    tmp_path: Path,
    departments: Departments,
    party_keys: dict[str, SigningKey],
) -> Callable[..., Any]:
    async def start(extra: dict[str, dict[str, Any]] | None = None, **overrides: Any) -> Hub:
        adapters = inbound_settings(tmp_path / "departments", departments) | (extra or {})
        settings = Settings(data_dir=tmp_path / "data", adapters=adapters, **overrides)
        return await started_hub(aiohttp_client, settings, party_keys)

    return start


@pytest.fixture
async def bank_terminal_hub(
    inbound_hub_factory: Callable[..., Any],
    publisher: BankTerminalPublisher,
    topology: Topology,
    tmp_path: Path,
) -> Hub:
    """A hub consuming this test's bank exchange, trusting the banks' keys."""
    keys = tmp_path / "banks.jwks.json"
    publisher.trust_store().save(keys)
    started: Hub = await inbound_hub_factory({"bank_terminals": topology.settings(keys)})
    return started


@pytest.fixture
async def hub(inbound_hub_factory: Callable[..., Any]) -> Hub:
    started: Hub = await inbound_hub_factory()
    return started
