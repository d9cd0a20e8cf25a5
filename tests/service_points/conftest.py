"""Fixtures: a running hub whose registry holds the shipped Yunfu/Zhaoqing sample."""

from __future__ import annotations

from pathlib import Path

import pytest
from hub_fixtures import hub, hub_factory, party_keys
from hubkit import Hub

from certhub.hub.core.keys import SERVICE_POINTS
from certhub.hub.service_points import import_file, parse_file

SAMPLE = (
    Path(__file__).resolve().parents[2] / "hub" / "service_points" / "data" / "sample_points.csv"
)

__all__ = ["SAMPLE", "hub", "hub_factory", "mapped_hub", "party_keys"]


@pytest.fixture
async def mapped_hub(hub: Hub) -> Hub:
    """A hub with the 38 sample points imported."""
    data = SAMPLE.read_bytes()
    registry = hub.client.app[SERVICE_POINTS]
    await import_file(
        registry, parse_file(data, SAMPLE.name), source="sample", actor="test", data=data
    )
    return hub
