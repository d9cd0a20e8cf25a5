"""Fixtures: a hub with a party in every role, and its reporting units."""

from __future__ import annotations

from procedure_fixtures import (
    keys,
    ledger_url,
    office,
    office_db,
    office_on_ledger,
    office_settings,
    office_units,
)

__all__ = [
    "keys",
    "ledger_url",
    "office",
    "office_db",
    "office_on_ledger",
    "office_settings",
    "office_units",
]
