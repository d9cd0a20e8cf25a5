"""Fixtures: the hub's JSON log lines captured in memory (INFO and up)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from logkit import captured_json_logs


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """Everything logged (INFO and up) as the hub's JSON lines, in memory."""
    with captured_json_logs(logging.INFO) as stream:
        yield stream
