"""A running hub with the inbound adapters configured against the mock departments."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hub_fixtures import started_hub
from hubkit import Hub
from inboundkit import Departments, inbound_settings

from certhub.hub.core.settings import Settings
from certhub.mocks.channels import CHANNELS, ChannelCallbacks
from certhub.mocks.city_platforms import YunfuPlatform, ZhaoqingPlatform
from certhub.security import SigningKey


@pytest.fixture
def departments() -> Departments:
    return Departments(
        YunfuPlatform(), ZhaoqingPlatform(), {name: ChannelCallbacks(name) for name in CHANNELS}
    )


@pytest.fixture
def inbound_hub_factory(
    aiohttp_client: Callable[..., Any], tmp_path: Path, departments: Departments
) -> Callable[..., Any]:
    async def start(extra: dict[str, dict[str, Any]] | None = None, **overrides: Any) -> Hub:
        adapters = inbound_settings(tmp_path / "departments", departments) | (extra or {})
        settings = Settings(data_dir=tmp_path / "data", adapters=adapters, **overrides)
        keys = {
            party: SigningKey.generate()
            for party in ("city", "other-city", "channel", "province", "intruder")
        }
        return await started_hub(aiohttp_client, settings, keys)

    return start


@pytest.fixture
async def hub(inbound_hub_factory: Callable[..., Any]) -> Hub:
    started: Hub = await inbound_hub_factory()
    return started
