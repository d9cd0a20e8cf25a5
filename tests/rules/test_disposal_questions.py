"""Questions for the province about a confirmed task's disposal that neither DESIGN.md nor
the README answers: each test states the behaviour a decision would give and is a strict
xfail until someone decides (the hub's present behaviour is in each reason).

The pensioner is the disposal kit's (born 1960-12-17: 60 on 2020-12-17), on the roster at
238.00 a month.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from disposalkit import COUNTY, confirmed_task, overpayment_runs, report, roster_entry

from certhub.hub.rules.disposal import dispose

NOW = datetime(2024, 7, 10, 9, 0, tzinfo=UTC)


@pytest.mark.xfail(
    strict=True,
    reason="decision wanted: a loss of nationality ends the benefit of a living person, yet"
    " the hub's SMS tells the 'family' to claim the funeral grant (丧葬补助金), due on a"
    " death only (README: 'death and loss of nationality → ... the family told by SMS to"
    " claim the funeral grant'); who is told, and of which one-time payment (the"
    " personal account's balance alone)?",
)
def test_a_loss_of_nationality_asks_no_one_to_claim_a_funeral_grant() -> None:
    task = confirmed_task(NOW, "loss_of_nationality")
    disposal = dispose(
        task,
        event_date=date(2024, 3, 15),
        suspend_until=None,
        roster=roster_entry(report().person, NOW, "2024-06"),
        decided_by=COUNTY,
        at=NOW,
    )
    assert disposal.notice is not None
    assert "丧葬补助金" not in disposal.notice.text


@pytest.mark.xfail(
    strict=True,
    reason="decision wanted: the roster states no month the benefit began, so a termination"
    " dated before the pensioner could draw one (城乡居保 pays from the month after the 60th"
    " birthday) recovers months never paid: another pension drawn since 2019-05-01,"
    " confirmed while paid through 2024-06, recovers 2019-06..2024-06 = 61 x 238.00 ="
    " 14,518.00, of which 2019-06..2020-12 (19 months, 4,522.00) were never paid; bound the"
    " overpaid months by the 60th birthday (or a start date the province sends), or refuse"
    " such a date?",
)
def test_months_before_the_pensioner_could_draw_are_not_recovered() -> None:
    task = confirmed_task(NOW, "duplicate_receipt")
    disposal = dispose(
        task,
        event_date=date(2019, 5, 1),
        suspend_until=None,
        roster=roster_entry(report().person, NOW, "2024-06"),
        decided_by=COUNTY,
        at=NOW,
    )
    # 2021-01 (the month after turning 60) .. 2024-06: 42 months
    assert overpayment_runs(disposal) == [
        (date(2021, 1, 1), date(2024, 6, 30), 42, Decimal("9996.00"))
    ]
