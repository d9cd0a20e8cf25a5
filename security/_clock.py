"""Time helpers: one definition of "now" and of the RFC 3339 form we emit."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["require_aware", "rfc3339", "utc_now"]


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime (the default clock)."""
    return datetime.now(UTC)


def require_aware(value: datetime, what: str) -> datetime:
    """Return ``value`` if it carries a timezone.

    Raises:
        ValueError: ``value`` is naive, which would make comparisons ambiguous.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return value


def rfc3339(value: datetime) -> str:
    """Format an aware datetime as RFC 3339 in UTC with a ``Z`` suffix."""
    if value.tzinfo is UTC:  # the hub's own clock: every receipt comes this way
        return value.isoformat()[:-6] + "Z"
    utc = require_aware(value, "timestamp").astimezone(UTC)
    return utc.isoformat().replace("+00:00", "Z")
