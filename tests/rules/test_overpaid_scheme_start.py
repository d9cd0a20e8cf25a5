"""No month before the scheme began (2009-01, schemas.SCHEME_START) is ever overpaid: the
scheme paid nothing then. 238.00 a month; hand-computed.

The roster says up to which month a benefit was paid (``paid_through``), never since when;
the overpaid months run from the month after the event. A death dated 10 June 1995 — a
year typed for 2025, or a person dead long before someone enrolled them — confirmed while
paid through 2026-11 made every month from 1995-07 overpaid: 377 months, 89,726.00 to
recover from the family, 168 of them (1995-07..2008-12, 39,984.00) months the scheme never
paid. Now 2009-01..2026-11: 215 months, 51,170.00 — the most the scheme can have paid. An
event in or after 2009 is counted as before.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from disposalkit import COUNTY, confirmed_task, overpayment_runs, report, roster_entry

from certhub.hub.rules.disposal import dispose

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def overpaid_for(died: date) -> list[tuple[date, date, int, Decimal]]:
    disposal = dispose(
        confirmed_task(NOW),
        event_date=died,
        suspend_until=None,
        roster=roster_entry(report().person, NOW, "2026-11"),
        decided_by=COUNTY,
        at=NOW,
    )
    return overpayment_runs(disposal)


def test_no_month_before_the_scheme_is_overpaid() -> None:
    assert overpaid_for(date(1995, 6, 10)) == [
        (date(2009, 1, 1), date(2026, 11, 30), 215, Decimal("51170.00"))
    ]  # before: 1995-07-01 .. 2026-11-30, 377 months, 89726.00


def test_an_event_after_the_scheme_began_counts_as_before() -> None:
    assert overpaid_for(date(2008, 12, 31)) == [
        (date(2009, 1, 1), date(2026, 11, 30), 215, Decimal("51170.00"))
    ]
    assert overpaid_for(date(2009, 1, 15)) == [
        (date(2009, 2, 1), date(2026, 11, 30), 214, Decimal("50932.00"))
    ]
