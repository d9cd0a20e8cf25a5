"""The period a comparison run compares (shared by its loading and its rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["RunWindow"]


@dataclass(frozen=True)
class RunWindow:
    """The period compared: its first day, the last day records may carry, and the city."""

    start: date
    as_of: date
    city: str | None = None
