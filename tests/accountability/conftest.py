"""Fixtures: the procedure's hub (every party), and its reporting units."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from procedurekit import PARTIES, Office, trust_store
from prometheus_client import CollectorRegistry

from certhub.hub.core.keys import NOTICE_SENDER
from certhub.hub.core.settings import Settings
from certhub.hub.delivery.notices import LoggingNoticeSender
from certhub.hub.runtime.app import create_app
from certhub.security import SigningKey

UNITS = """# three villages of one town of 广州市越秀区
code,name
440103001201,甲村
440103001202,乙村
440103001203,丙村
"""
BASE = "https://hub.example.gd.gov.cn"


@pytest.fixture
def keys() -> dict[str, SigningKey]:
    """One key per party."""
    return {party: SigningKey.generate() for party in PARTIES}


@pytest.fixture
async def office(
    aiohttp_client: Callable[..., Any], tmp_path: Path, keys: dict[str, SigningKey]
) -> Office:
    """A running hub with rating links in its SMS and three reporting villages."""
    settings = Settings(data_dir=tmp_path / "data", identity_check="off", rating_base_url=BASE)
    settings.data_dir.mkdir(parents=True)
    trust_store(keys).save(settings.trust_store_path)
    settings.reporting_units_path.write_text(UNITS, encoding="utf-8")
    app = create_app(settings, registry=CollectorRegistry())
    app[NOTICE_SENDER] = LoggingNoticeSender()
    return Office(await aiohttp_client(app), settings, keys)
