"""Correlation ids: one id per request, in every log line of it and in the response.

A caller may send its own id in ``X-Request-ID`` (or ``X-Correlation-ID`` /
``Correlation-ID``) to tie our logs to theirs; it is used only when it is a
short token of safe characters that does not look like an ID number —
otherwise the hub makes a fresh one. The id is echoed in ``X-Request-ID``.
"""

from __future__ import annotations

import itertools
import re
import secrets
import string
from collections.abc import Mapping
from typing import Final

from certhub.schemas import mask_numbers_for_logs

RESPONSE_HEADER: Final = "X-Request-ID"
REQUEST_HEADERS: Final = ("X-Request-ID", "X-Correlation-ID", "Correlation-ID")
_SANE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")


def sane_correlation_id(value: str | None) -> str | None:
    """``value`` if it may be logged and echoed as a correlation id, else ``None``."""
    if value is None or _SANE.fullmatch(value) is None:
        return None
    if mask_numbers_for_logs(value) != value:  # logs would star it: no longer the same id
        return None
    return value


# 14 random letters (65 bits) per process: letters only, so an id never holds the
# long run of digits that log masking would take for an ID number and star out.
_PROCESS_PREFIX: Final = "".join(secrets.choice(string.ascii_lowercase) for _ in range(14))
_SERIAL = itertools.count(1)


def new_correlation_id() -> str:
    """A fresh correlation id: a random per-process prefix, ``-``, then a hex serial.

    The serial is written in dot-separated groups of 12 once it is that long.

    Unique across processes and restarts without a system call per request
    (``secrets`` reads the kernel's random source every time).
    """
    serial = f"{next(_SERIAL):x}"
    # Past 16**14 requests a hex serial may be 15 decimal digits in a row, which log
    # masking stars out: dots keep every run of it to 12 characters.
    groups = [serial[max(0, end - 12) : end] for end in range(len(serial), 0, -12)]
    return f"{_PROCESS_PREFIX}-{'.'.join(reversed(groups))}"


def request_correlation_id(headers: Mapping[str, str]) -> str:
    """The caller's correlation id from the first header that holds a sane one, else a new id.

    :func:`certhub.hub.api.observe.observe_requests` binds it for the request's
    logs and echoes it in :data:`RESPONSE_HEADER`.
    """
    for name in REQUEST_HEADERS:
        current = sane_correlation_id(headers.get(name))
        if current is not None:
            return current
    return new_correlation_id()
