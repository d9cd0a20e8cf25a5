"""Calendar arithmetic: months of benefit periods (benefits are paid by month), and runs
of consecutive months or days."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date


def consecutive_spans(values: Iterable[int]) -> list[tuple[int, int]]:
    """The runs of consecutive integers in ascending ``values``, each as (first, last):
    months paid in a row, weekdays open in a row."""
    spans: list[tuple[int, int]] = []
    for value in values:
        if spans and spans[-1][1] == value - 1:
            spans[-1] = (spans[-1][0], value)
        else:
            spans.append((value, value))
    return spans


def month_index(day: date) -> int:
    """Months since year 0 — differences of these count whole months."""
    return day.year * 12 + day.month - 1


def month_start(index: int, day: int = 1) -> date:
    """The first (or ``day``-th) day of the month whose :func:`month_index` is ``index``."""
    return date(index // 12, index % 12 + 1, day)


def first_of_next_month(day: date) -> date:
    """The first day of the month after ``day``'s month."""
    return month_start(month_index(day) + 1)


def last_day_of_month(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def parse_month(text: str) -> date:
    """``YYYY-MM`` as the first day of that month."""
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def month_label(index: int) -> str:
    """The ``YYYY-MM`` label of a :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_in(start: date, end: date) -> tuple[str, ...]:
    """Every month from ``start``'s to ``end``'s, inclusive, as ``YYYY-MM``."""
    return tuple(month_label(i) for i in range(month_index(start), month_index(end) + 1))
