"""东莞 and 中山 have no counties: a reader of the whole city (441900, 442000) reads its run.

An area code that is both a city and a county is read as the county (its prefix is the six
digits, :func:`certhub.security.parse_area`), which for these two cities is the whole city;
the run of city ``4419`` is inside area ``441900``. A county of another city still does not
read its city's run (the other counties' counts are in it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hubkit import Hub, with_area_staff, write_trust_store
from prometheus_client import CollectorRegistry

from certhub.hub.comparison.engine import run_comparison
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.security import SigningKey, TrustStore, issue_read_token

from .conftest import OPTIONS, PERIOD

READERS = {"dongguan": ("city_staff", "441900"), "haizhu": ("county_reviewer", "440105")}


@pytest.fixture
async def runs_hub(
    aiohttp_client: Callable[..., Any], tmp_path: Path, generated_small: Path
) -> Hub:
    """A hub holding the runs of 东莞 (4419) and 广州 (4401), and two readers confined."""
    settings = Settings(data_dir=tmp_path / "data")
    runs = settings.data_dir / "comparison-runs"
    runs.mkdir(parents=True)
    for city in ("4419", "4401"):
        run_comparison(generated_small, runs, PERIOD, city=city, options=OPTIONS)
    parties = ("city", "other-city", "channel", "province", *READERS)
    keys = {party: SigningKey.generate() for party in parties}
    write_trust_store(settings.trust_store_path, keys)
    store = with_area_staff(TrustStore.load(settings.trust_store_path), keys, READERS, lambda _: [])
    store.save(settings.trust_store_path)
    client = await aiohttp_client(create_app(settings, registry=CollectorRegistry()))
    return Hub(client, settings, keys)


async def _status(hub: Hub, run_id: str, party: str) -> int:
    token = issue_read_token(hub.keys[party], sender=party)
    response = await hub.client.get(
        f"/v1/comparison-runs/{run_id}", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status


async def test_a_reader_of_a_city_without_counties_reads_its_citys_run(runs_hub: Hub) -> None:
    assert await _status(runs_hub, f"{PERIOD}-4419", "dongguan") == 200
    assert await _status(runs_hub, f"{PERIOD}-4401", "dongguan") == 404


async def test_a_county_still_does_not_read_its_citys_run(runs_hub: Hub) -> None:
    assert await _status(runs_hub, f"{PERIOD}-4401", "haizhu") == 404
    assert await _status(runs_hub, f"{PERIOD}-4401", "province") == 200
