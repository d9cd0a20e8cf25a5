"""Structured JSON logs with personal data masked.

One JSON object per line. Every rendered message and every extra field passes
through :func:`schemas.mask_ids_in_text`, so a resident ID number never
reaches a log file whole, whoever wrote the log call.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Final, TextIO

from schemas import mask_ids_in_text

# Attributes every LogRecord has; anything else was passed through ``extra=``.
_STANDARD: Final = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """Render a record as one masked JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object: time, level, logger, message, extras."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_ids_in_text(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD:
                entry[key] = _mask(value)
        if record.exc_info:
            entry["exception"] = mask_ids_in_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_ids_in_text(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    return mask_ids_in_text(str(value))


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> None:
    """Send all logs as masked JSON lines to ``stream`` (stderr by default)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
