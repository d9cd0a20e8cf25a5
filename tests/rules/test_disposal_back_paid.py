"""A death confirmed after a restoration back-paid months after it recovers them.

The hub's roster entry still says suspended, paid through the suspension's month,
until the province's next entry; the back pay the hub signed on approving a
restoration was paid all the same, so a month back-paid after the event month is
overpaid like one the roster shows paid — once (a month in both counts once; one
recovered before not again). Vectors by hand at 238.00 a month, across a year end
and into February 2024 (29 days).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from disposalkit import COUNTY, confirmed_task, overpayment_runs, roster_entry

from certhub.hub.rules.disposal import dispose

NOW = datetime(2024, 7, 10, 9, 0, tzinfo=UTC)
WINTER = ("2023-12", "2024-01", "2024-02")  # back-paid by a restoration approved in 2024-03


def overpaid(
    event: date,
    paid_through: str = "2023-11",
    recovered: tuple[str, ...] = (),
    reason: str = "death",
) -> list[tuple[date, date, int, Decimal]]:
    """The overpayment runs of a confirmation on 10 July 2024, the hub's roster entry still
    saying suspended since 10 November 2023 (paid through November unless ``paid_through``)."""
    task = confirmed_task(NOW, reason)
    roster = roster_entry(
        task.person, NOW, paid_through, status="suspended", suspended_since=date(2023, 11, 10)
    )
    disposal = dispose(
        task, event_date=event, suspend_until=None, roster=roster,
        decided_by=COUNTY, at=NOW, recovered=recovered, back_paid=WINTER,
    )  # fmt: skip
    return overpayment_runs(disposal)


def test_months_back_paid_after_the_death_are_overpaid() -> None:
    # died in the suspension's month: December to February were back-paid, 3 x 238.00
    assert overpaid(date(2023, 11, 20)) == [
        (date(2023, 12, 1), date(2024, 2, 29), 3, Decimal("714.00"))
    ]


def test_only_the_months_after_the_event_month() -> None:
    assert overpaid(date(2024, 1, 31)) == [
        (date(2024, 2, 1), date(2024, 2, 29), 1, Decimal("238.00"))
    ]
    assert overpaid(date(2024, 2, 1)) == []  # February is payable: the death's month
    assert overpaid(date(2023, 12, 31)) == [
        (date(2024, 1, 1), date(2024, 2, 29), 2, Decimal("476.00"))
    ]


def test_a_month_both_paid_and_back_paid_counts_once() -> None:
    # the province's next entry shows the back pay paid through February: still 714.00
    assert overpaid(date(2023, 11, 20), paid_through="2024-02") == [
        (date(2023, 12, 1), date(2024, 2, 29), 3, Decimal("714.00"))
    ]
    # and paid on regularly through April: 2023-12..2024-04, 5 x 238.00
    assert overpaid(date(2023, 11, 20), paid_through="2024-04") == [
        (date(2023, 12, 1), date(2024, 4, 30), 5, Decimal("1190.00"))
    ]


def test_a_month_recovered_before_is_not_recovered_again() -> None:
    # January recovered already (an imprisonment's overpayment): two runs of one month
    assert overpaid(date(2023, 11, 20), recovered=("2024-01",)) == [
        (date(2023, 12, 1), date(2023, 12, 31), 1, Decimal("238.00")),
        (date(2024, 2, 1), date(2024, 2, 29), 1, Decimal("238.00")),
    ]


def test_an_imprisonment_recovers_the_back_pay_paid_during_it() -> None:
    assert overpaid(date(2023, 12, 5), reason="imprisonment") == [
        (date(2024, 1, 1), date(2024, 2, 29), 2, Decimal("476.00"))
    ]
