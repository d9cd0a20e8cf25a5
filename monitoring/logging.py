"""Structured JSON logs with personal data masked.

One JSON object per line. Every rendered message and every extra field passes
through :func:`schemas.mask_numbers_for_logs`, so a resident ID number never
reaches a log file whole, whoever wrote the log call, however it was typed: any
run of digits long enough to be one is starred, checked or not (a mistyped or
full-width number is still somebody's). Person names are never
logged at all: log calls pass identifiers and counts, not payloads.

The request being served is named by a correlation id held in a context
variable; :class:`CorrelationFilter` stamps it on every record, so each line
of one request (and of tasks it starts) carries the same ``correlation_id``.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Final, TextIO

from certhub.schemas import mask_numbers_for_logs

# Attributes every LogRecord has; anything else was passed through ``extra=``.
_STANDARD: Final = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


correlation_id: ContextVar[str | None] = ContextVar("certhub_correlation_id", default=None)
"""The correlation id of the request (or job) this code runs for, if any."""


class CorrelationFilter(logging.Filter):
    """Stamp the current correlation id on each record that passes through a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add ``correlation_id`` unless the record already carries one; never drop."""
        current = correlation_id.get()
        if current is not None and not hasattr(record, "correlation_id"):
            record.correlation_id = current
        return True


class FloodGuard(logging.Filter):
    """Let at most ``burst`` warnings or errors of one kind through per ``window`` seconds.

    A hostile client (or a full disk) can make the same error happen thousands
    of times a second; logging each one floods the disk that the ledger needs.
    A kind is the logger and the message template, so different failures are
    never silenced by one another; a logger whose messages carry their own
    varying text (asyncio's, for one) is also held to ten bursts per window
    in all. What is held back is counted (the
    ``certhub_log_records_suppressed_total`` metric reads :attr:`suppressed`)
    and the next record of that kind that passes says how many were.
    """

    _MAX_KINDS = 1024  # templates are few; a caller formatting its own text must not grow this
    _LOGGER_BURSTS = 10

    def __init__(self, *, burst: int = 20, window: float = 60.0) -> None:
        """Allow ``burst`` records of one kind per ``window`` seconds."""
        super().__init__()
        self._burst = burst
        self._window = window
        # kind -> [window start, records passed, records held]; a logger's total under (name, "")
        self._kinds: dict[tuple[str, str], list[float]] = {}
        self.suppressed: dict[str, int] = {}
        """Records held back so far, by level name."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Pass every record below WARNING; pass others while their kind is under its burst."""
        if record.levelno < logging.WARNING:
            return True
        kind = self._window_of((record.name, str(record.msg)), record)
        total = self._window_of((record.name, ""), record)
        if kind[1] < self._burst and total[1] < self._burst * self._LOGGER_BURSTS:
            if kind[1] == 0 and kind[2]:
                record.suppressed_before = int(kind[2])
                kind[2] = 0
            kind[1] += 1
            total[1] += 1
            return True
        kind[2] += 1
        self.suppressed[record.levelname] = self.suppressed.get(record.levelname, 0) + 1
        return False

    def _window_of(self, key: tuple[str, str], record: logging.LogRecord) -> list[float]:
        """The counters of ``key``, restarted when their window has passed (held ones kept)."""
        state = self._kinds.get(key)
        if state is None:
            if len(self._kinds) >= self._MAX_KINDS:
                self._kinds.clear()
            state = self._kinds[key] = [record.created, 0, 0]
        elif record.created - state[0] >= self._window:
            state[0], state[1] = record.created, 0
        return state


def flood_guards() -> list[FloodGuard]:
    """The flood guards on the root logger's handlers (what the metric reports)."""
    return [
        guard
        for handler in logging.getLogger().handlers
        for guard in handler.filters
        if isinstance(guard, FloodGuard)
    ]


class JsonFormatter(logging.Formatter):
    """Render a record as one masked JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object: time, level, logger, message, extras."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_numbers_for_logs(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD:
                entry[key] = _mask(value)
        if record.exc_info:
            entry["exception"] = mask_numbers_for_logs(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_numbers_for_logs(value)
    if isinstance(value, float | bool) or value is None:
        return value
    if isinstance(value, int):  # an ID number passed as an int is one all the same
        masked = mask_numbers_for_logs(str(value))
        return value if masked == str(value) else masked
    return mask_numbers_for_logs(str(value))


def json_handler(stream: TextIO | None = None) -> logging.Handler:
    """A handler writing masked JSON lines with correlation ids to ``stream`` (stderr)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(CorrelationFilter())
    handler.addFilter(FloodGuard())  # a repeated error cannot fill the disk
    return handler


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> None:
    """Send all logs as masked JSON lines to ``stream`` (stderr by default)."""
    handler = json_handler(stream)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # Reads of personal data are always logged, whatever the level (hub/api/access_log.py).
    logging.getLogger("certhub.access").setLevel(logging.INFO)
    logging.getLogger("certhub.lifecycle").setLevel(logging.INFO)  # start-up and shutdown lines
