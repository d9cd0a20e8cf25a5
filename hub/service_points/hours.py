"""Opening hours: a small, strict subset of the OpenStreetMap ``opening_hours`` syntax.

Examples: ``24/7``; ``Mo-Fr 08:30-12:00,14:30-17:30; Sa 09:00-12:00``. Each rule
is days (a day, a range ``Mo-Fr``, or a comma list) and one or more time spans
within the day. This is what the province's service-point lists write in a
cell, and it maps one-to-one onto HSDS ``schedule`` rows (``byday``,
``opens_at``, ``closes_at``), which :func:`hsds_schedules` produces for export.
Anything else (``PH off``, spans over midnight, seconds) is refused, not guessed.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Final

from certhub.hub.rules.months import consecutive_spans

DAYS: Final = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
ALWAYS: Final = "24/7"
_SPAN: Final = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class InvalidHours(ValueError):
    """The opening hours are not in the accepted syntax, or a span is empty."""


@dataclass(frozen=True, slots=True)
class Rule:
    """Days of the week (indices into :data:`DAYS`) and minute spans [opens, closes)."""

    days: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]


def parse_hours(text: str) -> tuple[Rule, ...]:
    """The rules of ``text`` (``()`` for ``24/7``).

    Raises:
        InvalidHours: with what is wrong, for a per-row import error.
    """
    text = text.strip()
    if text == ALWAYS:
        return ()
    if not text:
        raise InvalidHours("opening hours are empty")
    rules = tuple(_rule(part.strip()) for part in text.split(";") if part.strip())
    seen: set[int] = set()
    for rule in rules:
        if seen & set(rule.days):
            raise InvalidHours(f"a day is named twice in {text!r}")
        seen.update(rule.days)
    return rules


def format_hours(rules: tuple[Rule, ...]) -> str:
    """The canonical text of ``rules`` (what :func:`parse_hours` reads back to the same)."""
    if not rules:
        return ALWAYS
    return "; ".join(f"{_days_text(rule.days)} {_spans_text(rule.spans)}" for rule in rules)


def hsds_schedules(rules: tuple[Rule, ...]) -> list[dict[str, str]]:
    """HSDS 3.0 ``schedule`` objects (weekly, one per span) for ``rules``."""
    if not rules:
        return [{"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU", "description": ALWAYS}]
    return [
        {
            "freq": "WEEKLY",
            "byday": ",".join(DAYS[day].upper() for day in rule.days),
            "opens_at": _clock(opens),
            "closes_at": _clock(closes),
        }
        for rule in rules
        for opens, closes in rule.spans
    ]


def _rule(part: str) -> Rule:
    days_text, _, spans_text = part.partition(" ")
    if not spans_text.strip():
        raise InvalidHours(f"{part!r} needs days and times, e.g. 'Mo-Fr 08:30-17:30'")
    days = _days(days_text)
    spans = tuple(sorted(_span(span.strip()) for span in spans_text.split(",")))
    for (_, closes), (opens, _) in itertools.pairwise(spans):
        if opens < closes:
            raise InvalidHours(f"time spans overlap in {part!r}")
    return Rule(days, spans)


def _days(text: str) -> tuple[int, ...]:
    found: list[int] = []
    for item in text.split(","):
        first, _, last = item.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise InvalidHours(f"unknown day {item!r} (days are {', '.join(DAYS)})")
        start, end = DAYS.index(first), DAYS.index(last or first)
        if end < start:
            raise InvalidHours(f"day range {item!r} runs backwards")
        found.extend(range(start, end + 1))
    if len(set(found)) != len(found):
        raise InvalidHours(f"a day is named twice in {text!r}")
    return tuple(sorted(found))


def _span(text: str) -> tuple[int, int]:
    match = _SPAN.match(text)
    if match is None:
        raise InvalidHours(f"time span {text!r} is not HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(group) for group in match.groups())
    opens, closes = h1 * 60 + m1, h2 * 60 + m2
    if closes > 24 * 60 or closes <= opens:
        raise InvalidHours(f"time span {text!r} does not close after it opens, the same day")
    return opens, closes


def _days_text(days: tuple[int, ...]) -> str:
    return ",".join(
        DAYS[first] if first == last else f"{DAYS[first]}-{DAYS[last]}"
        for first, last in consecutive_spans(days)
    )


def _spans_text(spans: tuple[tuple[int, int], ...]) -> str:
    return ",".join(f"{_clock(opens)}-{_clock(closes)}" for opens, closes in spans)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
