"""The certification cycle of 粤人社规〔2023〕4号, pure: months in, record and due month out.

A passed certification in month ``M`` covers the 12 months ``M+1 .. M+12``;
the last of them, ``M+12``, is the **due month** (certified in 2026-03 →
covers 2026-04..2027-03, due 2027-03, overdue from 2027-04). The due month
always follows the *last* passed certification: certifying again early moves
it.

**One certification of record per person per cycle.** The first passed
certification is of record and opens its cycle. A later one whose month is
less than 12 months after the record's month (the record's own month and the
11 after it) is *linked* to that record: it moves the due month but is not
counted again. One in the record's due month or later (12 or more months
after the record) is the record of the next cycle. So a person who certifies
every year in their due month is counted every year, and three channels in
one month are counted once. Certifications are taken in the order the ledger
recorded them; the ledger applies the same rule in SQL
(:mod:`certhub.hub.store.register`), and a test proves the two agree. A certification
withdrawn (its records voided: :mod:`certhub.hub.procedure.exempt_withdrawn`) is folded
out by folding the others again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from certhub.hub.rules.months import month_index, month_label, month_start

__all__ = [
    "CYCLE_MONTHS",
    "Certified",
    "PersonCycle",
    "covered_until",
    "due_month",
    "fold",
    "held_liability",
    "liable_from",
    "month_of",
]

CYCLE_MONTHS: Final = 12


@dataclass(frozen=True, slots=True)
class Certified:
    """One passed certification: its ledger sequence and the day it happened (CST)."""

    sequence: int
    day: date


@dataclass(frozen=True, slots=True)
class PersonCycle:
    """A person's register state after some certifications."""

    record: int  # ledger sequence of the certification of record of the current cycle
    record_month: int  # its month index
    last: Certified  # the last passed certification (latest day; on a tie, recorded last)
    due: int  # month index of the due month
    links: tuple[tuple[int, int], ...]  # (certification, its record) for every one folded


def month_of(day: date) -> int:
    """The month index of ``day`` (:func:`certhub.hub.rules.months.month_index`)."""
    return month_index(day)


def due_month(certified_on: date) -> str:
    """``YYYY-MM`` of the due month a certification on ``certified_on`` sets."""
    return month_label(month_index(certified_on) + CYCLE_MONTHS)


def liable_from(due: int, grace_months: int = 0, cleared: date | None = None) -> date:
    """The first day a person whose due month is ``due`` is liable to suspension.

    The day after the due month ends (plus ``grace_months`` whole months). ``cleared``: the
    day (China time) a verification holding the person's reminders last cleared them (found
    alive: the task cleared, the report rejected; the reminders were held meanwhile, so the
    due month may have passed with none): never before the 1st of the second month after
    it (plus ``grace_months``) — the rest of that month and a whole one to certify, the
    two reminder slots' length.
    """
    index = due + 1 + grace_months
    if cleared is not None:
        index = max(index, month_index(cleared) + 2 + grace_months)
    return month_start(index)


def held_liability(
    due: int, grace_months: int, holds: Iterable[tuple[date, date | None]]
) -> date | None:
    """The first day the person due in month ``due`` is liable to suspension, given the
    verifications that held their reminders (``holds``: the day each began and the day it
    cleared them, None while it is on; China time); None while one begun before that day
    is still on (the verification decides: confirmed, it ends or stops the benefit itself).

    Only a verification begun before the day they would be liable held the reminders and
    the time the person had to certify; one begun after it changes nothing (liable
    already: before, the sweep proposed them, and it still does). Cleared (found alive), the
    latest such clearance counts (:func:`liable_from`'s ``cleared``) — and the day it sets is
    the one a verification begun meanwhile is measured against: begun before the day an
    earlier clearance moved them to, it held their reminders and their time just as the
    first did, so its clearance moves the day again (decided for the pensioner: a report
    of the 5th of March, found alive on the 20th of May, after a first one cleared on the
    10th of February had given until the 1st of April, gives until the 1st of July — before,
    the 1st of April, already past: proposed at once with no reminder; a suspension stays a
    proposal that people decide).
    """
    held_holds = list(holds)
    day = liable_from(due, grace_months)
    while True:
        held = [cleared for began, cleared in held_holds if began < day]
        if any(cleared is None for cleared in held):
            return None
        later = liable_from(
            due, grace_months, max((c for c in held if c is not None), default=None)
        )
        if later == day:  # no verification begun before it moves it further
            return day
        day = later


def fold(certifications: Iterable[Certified]) -> PersonCycle | None:
    """The register state after ``certifications`` (in ledger order); None if there are none."""
    state: PersonCycle | None = None
    for cert in certifications:
        month = month_index(cert.day)
        if state is None or month >= state.record_month + CYCLE_MONTHS:  # opens a cycle
            record, record_month = cert.sequence, month
        else:  # linked to the cycle's record, not counted again
            record, record_month = state.record, state.record_month
        last = cert if state is None else _later(state.last, cert)
        due = month_index(last.day) + CYCLE_MONTHS
        links = (*(state.links if state else ()), (cert.sequence, record))
        state = PersonCycle(record, record_month, last, due, links)
    return state


def _later(last: Certified, cert: Certified) -> Certified:
    """The later of two certifications by day; on the same day the one recorded later."""
    return cert if cert.day >= last.day else last


def covered_until(due: int) -> date:
    """The last day a due month ``due`` covers."""
    return liable_from(due) - timedelta(days=1)
