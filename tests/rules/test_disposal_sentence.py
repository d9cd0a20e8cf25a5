"""An imprisonment confirmed after the sentence ended recovers the prison months only.

The benefit is payable again from the month after release, so a month paid after the
month ``suspend_until`` falls in is no overpayment. Before, every month after the
event month up to the roster's ``paid_through`` was recovered from a person released
long before. Vectors by hand at 238.00 a month, over a leap February (2024-02-29).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from disposalkit import COUNTY, confirmed_task, overpayment_runs, roster_entry

from certhub.hub.rules.disposal import dispose

NOW = datetime(2024, 7, 10, 9, 0, tzinfo=UTC)
JAILED = date(2023, 11, 20)


def overpaid(
    until: date | None, reason: str = "imprisonment", recovered: tuple[str, ...] = ()
) -> list[tuple[date, date, int, Decimal]]:
    """The overpayment runs of a confirmation on 10 July 2024: paid through June 2024."""
    task = confirmed_task(NOW, reason)
    roster = roster_entry(task.person, NOW, "2024-06")
    disposal = dispose(
        task, event_date=JAILED, suspend_until=until, roster=roster, decided_by=COUNTY,
        at=NOW, recovered=recovered,
    )  # fmt: skip
    return overpayment_runs(disposal)


def test_released_on_the_leap_day_recovers_december_to_february() -> None:
    assert overpaid(date(2024, 2, 29)) == [
        (date(2023, 12, 1), date(2024, 2, 29), 3, Decimal("714.00"))
    ]  # was 2023-12..2024-06: 7 x 238.00 = 1666.00


def test_the_month_of_release_is_a_prison_month() -> None:
    assert overpaid(date(2024, 3, 1)) == [
        (date(2023, 12, 1), date(2024, 3, 31), 4, Decimal("952.00"))
    ]
    assert overpaid(date(2023, 11, 30)) == []  # released in the month jailed: nothing
    assert overpaid(date(2023, 12, 1)) == [
        (date(2023, 12, 1), date(2023, 12, 31), 1, Decimal("238.00"))
    ]


def test_a_sentence_running_past_paid_through_recovers_every_month_paid() -> None:
    whole = [(date(2023, 12, 1), date(2024, 6, 30), 7, Decimal("1666.00"))]
    assert overpaid(date(2024, 6, 30)) == whole
    assert overpaid(date(2026, 5, 1)) == whole
    assert overpaid(None) == whole  # no end stated: suspended until restored


def test_a_month_recovered_before_stays_out() -> None:
    assert overpaid(date(2024, 2, 29), recovered=("2024-01",)) == [
        (date(2023, 12, 1), date(2023, 12, 31), 1, Decimal("238.00")),
        (date(2024, 2, 1), date(2024, 2, 29), 1, Decimal("238.00")),
    ]


def test_a_termination_ignores_a_sentences_end() -> None:
    assert overpaid(date(2024, 2, 29), reason="death") == [
        (date(2023, 12, 1), date(2024, 6, 30), 7, Decimal("1666.00"))
    ]
