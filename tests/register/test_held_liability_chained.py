"""A second verification begun after the usual liable day but before the later one a first
verification's late clearance set (hub.rules.cycle.held_liability), by hand.

Due December 2026 (liable from the 1st of January 2027 with no grace). A death report of
the 20th of November held the reminders until its task cleared on the 10th of February:
liable from the 1st of April (the rest of February and March to certify; the reminder
sweep asks "by the end of March", 7a25954). A missing-person report of the 5th of March
holds the reminders again until the 20th of May (found alive again). Today the second
one counts for nothing because it began after the 1st of January, the usual day ("liable
already when reported") — but the person was not liable then: the first clearance had
moved the day to the 1st of April, and the second verification held their reminders and
the time to certify before it, exactly as the first did before the usual day. Cleared on
the 20th of May, they are liable from the 1st of April, already past: proposed for
suspension at once, with no reminder, a living pensioner found alive twice. Now it counts
as the first one does: the 1st of July (May + 2). Decided for the pensioner (a suspension
stays a proposal people decide); a report begun after the extended day still changes
nothing.
"""

from __future__ import annotations

from datetime import date

from certhub.hub.rules.cycle import held_liability
from certhub.hub.rules.months import month_index

DUE = month_index(date(2026, 12, 1))


def test_a_second_verification_begun_within_the_extension_extends_it_again() -> None:
    first = (date(2026, 11, 20), date(2027, 2, 10))  # alone: liable from the 1st of April
    assert held_liability(DUE, 0, [first]) == date(2027, 4, 1)
    second = (date(2027, 3, 5), date(2027, 5, 20))  # begun before that day, cleared in May
    assert held_liability(DUE, 0, [first, second]) == date(2027, 7, 1)  # May + 2 months


def test_a_verification_begun_after_the_extended_day_changes_nothing() -> None:
    first = (date(2026, 11, 20), date(2027, 2, 10))  # liable from the 1st of April
    late = (date(2027, 4, 2), date(2027, 5, 20))  # begun when liable already
    assert held_liability(DUE, 0, [first, late]) == date(2027, 4, 1)
    still_on = (date(2027, 3, 5), None)  # begun within the extension, not cleared yet
    assert held_liability(DUE, 0, [first, still_on]) is None
