"""Fixtures of the deployment tests: a throw-away PostgreSQL database per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pgkit import throwaway_database


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped after it."""
    with throwaway_database("certhub_dep") as url:
        yield url
