"""Questions for the province about a confirmed task's disposal that neither DESIGN.md nor
the README answers: each test states the behaviour a decision would give and is a strict
xfail until someone decides (the hub's present behaviour is in each reason); the loss of
nationality's SMS is decided (no funeral grant for a living person).

The pensioner is the disposal kit's (born 1960-12-17: 60 on 2020-12-17), on the roster at
238.00 a month.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from disposalkit import COUNTY, confirmed_task, overpayment_runs, report, roster_entry
from questionkit import decision_wanted

from certhub.hub.rules.disposal import Disposal, dispose

NOW = datetime(2024, 7, 10, 9, 0, tzinfo=UTC)


def disposed(kind: str, event_date: date) -> Disposal:
    """The county's confirmation of a ``kind`` task dated ``event_date``, paid through 2024-06."""
    return dispose(
        confirmed_task(NOW, kind),
        event_date=event_date,
        suspend_until=None,
        roster=roster_entry(report().person, NOW, "2024-06"),
        decided_by=COUNTY,
        at=NOW,
    )


def test_a_loss_of_nationality_asks_no_one_to_claim_a_funeral_grant() -> None:
    """The funeral grant (丧葬补助金) is due on a death only, and the person who lost their
    nationality is alive: the SMS is theirs (not the family's) and names the personal
    account's balance alone (paid to them). Decided; before, the death's text went out."""
    disposal = disposed("loss_of_nationality", date(2024, 3, 15))
    assert disposal.notice is not None
    text = disposal.notice.text
    assert "丧葬补助金" not in text
    assert "家属" not in text
    assert "个人账户余额" in text
    assert "2024年03月15日" in text


@decision_wanted(
    "a termination dated before the pensioner could draw (the month"
    " after the 60th birthday; the roster states no start) recovers months never paid"
)
def test_months_before_the_pensioner_could_draw_are_not_recovered() -> None:
    """Another pension drawn since 2019-05-01, confirmed while paid through 2024-06: today
    2019-06..2024-06 = 61 x 238.00 = 14,518.00, of which 2019-06..2020-12 (19 months,
    4,522.00) were never paid. Expected if bounded by the 60th birthday (or a start date
    the province sends; refusing such a date is the other answer): 42 months."""
    disposal = disposed("duplicate_receipt", date(2019, 5, 1))
    # 2021-01 (the month after turning 60) .. 2024-06: 42 months
    assert overpayment_runs(disposal) == [
        (date(2021, 1, 1), date(2024, 6, 30), 42, Decimal("9996.00"))
    ]
