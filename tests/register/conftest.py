"""Ledgers of both backends for the register suite (an empty SQLite file, a throw-away database)."""

from __future__ import annotations

import pytest
from hub_fixtures import hub, hub_factory, party_keys
from ledger_backends import ledger, ledger_factory, postgres_url
from procedure_fixtures import keys, office, office_db, office_settings

# a running hub for the API tests; both ledger backends from the shared kit; the procedure's
# office (a party in every role, the identity check off) on SQLite or on both backends
__all__ = [
    "hub",
    "hub_factory",
    "keys",
    "ledger",
    "ledger_factory",
    "office",
    "office_db",
    "office_settings",
    "party_keys",
    "postgres_url",
]


@pytest.fixture
def office_units() -> str | None:
    """No reporting units file in the register suite's offices (the procedure's have three
    villages that must report monthly)."""
    return None
