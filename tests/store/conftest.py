"""Ledger backends for the store suite (tests/support/ledger_backends): SQLite in a temporary
folder, PostgreSQL in a database of its own per test run."""

from __future__ import annotations

import pytest
from ledger_backends import ledger, ledger_factory, postgres_url, reset_database

__all__ = ["ledger", "ledger_factory", "postgres_url"]  # both backends, from the shared kit


@pytest.fixture
async def pg_url(postgres_url: str) -> str:
    """The run's PostgreSQL database, emptied for this test."""
    await reset_database(postgres_url)
    return postgres_url
