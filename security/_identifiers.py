"""Syntax of the identifiers that appear in headers and file names."""

from __future__ import annotations

import re

__all__ = ["is_message_id", "is_sender_id", "require_sender_id"]

_SENDER_ID = re.compile(r"[A-Za-z0-9_.:@-]{1,64}")
_MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")


def is_sender_id(value: object) -> bool:
    """Tell whether ``value`` is a syntactically valid sender id."""
    return isinstance(value, str) and _SENDER_ID.fullmatch(value) is not None


def is_message_id(value: object) -> bool:
    """Tell whether ``value`` is a syntactically valid message id (``jti``)."""
    return isinstance(value, str) and _MESSAGE_ID.fullmatch(value) is not None


def require_sender_id(value: object) -> str:
    """Return ``value`` if it is a valid sender id.

    Raises:
        ValueError: it is not ``^[A-Za-z0-9_.:@-]{1,64}$``.
    """
    if isinstance(value, str) and _SENDER_ID.fullmatch(value):
        return value
    raise ValueError(f"invalid sender id {value!r}: want ^[A-Za-z0-9_.:@-]{{1,64}}$")
