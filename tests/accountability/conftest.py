"""Fixtures: the procedure's hub (every party), and its reporting units."""

from __future__ import annotations

from typing import Any

import pytest
from procedure_fixtures import keys, office, office_units

__all__ = ["keys", "office", "office_units"]

BASE = "https://hub.example.gd.gov.cn"


@pytest.fixture
def office_settings() -> dict[str, Any]:
    """Rating links in the hub's SMS."""
    return {"rating_base_url": BASE}
