"""Fixtures: a running hub whose registry holds the shipped Yunfu/Zhaoqing sample."""

from __future__ import annotations

import pytest
from hub_fixtures import hub, hub_factory, party_keys
from hubkit import Hub

from certhub.hub.core.keys import SERVICE_POINTS
from certhub.hub.service_points import import_file, parse_file
from certhub.hub.service_points.sample import SAMPLE_NAME, sample_points

__all__ = ["hub", "hub_factory", "mapped_hub", "party_keys"]


@pytest.fixture
async def mapped_hub(hub: Hub) -> Hub:
    """A hub with the 38 sample points imported."""
    data = sample_points()
    registry = hub.client.app[SERVICE_POINTS]
    await import_file(
        registry, parse_file(data, SAMPLE_NAME), source="sample", actor="test", data=data
    )
    return hub
