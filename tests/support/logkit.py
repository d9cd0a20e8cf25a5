"""The hub's JSON log lines, captured in memory for tests that read what was logged."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from certhub.monitoring.logging import json_handler


@contextmanager
def captured_json_logs(level: int) -> Iterator[io.StringIO]:
    """Everything logged at ``level`` and up, as the hub's JSON lines; the root logger's
    handlers and level as they were afterwards."""
    stream = io.StringIO()
    handler = json_handler(stream)
    root = logging.getLogger()
    before = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(before)


def logged(stream: io.StringIO, **match: Any) -> list[dict[str, Any]]:
    """The JSON objects logged so far, those whose fields equal ``match``."""
    found = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    return [entry for entry in found if all(entry.get(k) == v for k, v in match.items())]
