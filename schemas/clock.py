"""The one clock module: China Standard Time, "now", and the RFC 3339 form certhub emits.

Every package that needs the province's calendar day or a timestamp imports
it from here (``schemas`` is below everything, so anything may).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Final

__all__ = ["CHINA_STANDARD_TIME", "require_aware", "rfc3339", "shanghai_today", "utc_now"]

CHINA_STANDARD_TIME: Final = timezone(timedelta(hours=8), "CST")
"""UTC+8. China has observed no daylight saving since 1991, so a fixed offset
is exact for every date the hub handles and needs no tz database."""


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime (the default clock)."""
    return datetime.now(UTC)


def shanghai_today() -> date:
    """Return today's date in China Standard Time (Asia/Shanghai, UTC+8)."""
    return datetime.now(CHINA_STANDARD_TIME).date()


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
