"""Ledgers of both backends for the register suite (an empty SQLite file, a throw-away database)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hub_fixtures import hub, hub_factory, party_keys
from ledger_backends import ledger, ledger_factory, postgres_url
from procedurekit import PARTIES, Office, open_office

from certhub.security import SigningKey

# a running hub for the API tests; both ledger backends from the shared kit
__all__ = ["hub", "hub_factory", "ledger", "ledger_factory", "party_keys", "postgres_url"]


@pytest.fixture
async def office(aiohttp_client: Callable[..., Any], tmp_path: Path) -> Office:
    """A hub with a party in every role (no e-ID service: the identity check is off)."""
    keys = {party: SigningKey.generate() for party in PARTIES}
    return await open_office(aiohttp_client, tmp_path / "data", keys)
