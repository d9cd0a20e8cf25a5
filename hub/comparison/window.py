"""The period a comparison run compares (shared by its loading and its rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["RunWindow"]


@dataclass(frozen=True)
class RunWindow:
    """The period compared: its first day, the last day records may carry, the city, and the
    run's day (a department's void may carry any day up to it; None: ``as_of``)."""

    start: date
    as_of: date
    city: str | None = None
    today: date | None = None

    @property
    def run_day(self) -> date:
        """The last day a void may carry: the run's day (a void is a correction made since)."""
        return self.today or self.as_of
