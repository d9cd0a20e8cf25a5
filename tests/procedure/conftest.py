"""Fixtures: a hub with a party in every role, and its reporting units."""

from __future__ import annotations

from procedure_fixtures import keys, office, office_db, office_settings

__all__ = ["keys", "office", "office_db", "office_settings"]
