"""A stated release cuts an imprisonment's overpayment to the prison months
(hub/rules/release_refund.py), on hand-computed vectors at 238.00 a month.

The brief's case: jailed 2026-03-10, no end stated, confirmed while the roster paid through
2026-11: 2026-04..11 = 8 x 238.00 = 1,904.00 overpaid. Released 2026-05-31: 2026-04..05 =
476.00 stay overpaid, 2026-06..11 (1,428.00) were payable; of 714.00 recovered (oldest
first: 2026-04..06) 238.00 is refunded. Year end: jailed 2025-11-20, paid through 2026-03
(2025-12..2026-03 = 952.00), released 2025-12-31: 2025-12 = 238.00 stays. Leap year: jailed
2028-01-15, paid through 2028-05 (2028-02..05), released 2028-02-29: 2028-02 stays (its last
day the 29th); released 2028-03-01: 2028-02..03 = 476.00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from disposalkit import confirmed_task, roster_entry

from certhub.hub.rules.disposal import overpaid
from certhub.hub.rules.release_refund import Balance, Released, released
from certhub.schemas import Overpayment, RecoveryStatus

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
ID = "overpayment:t"


def counted(jailed: date, paid_through: str, recovered: tuple[str, ...] = ()) -> list[Overpayment]:
    """The overpayments an imprisonment on ``jailed`` with no end stated counts."""
    task = confirmed_task(NOW, "imprisonment")
    roster = roster_entry(task.person, NOW, paid_through)
    return list(overpaid(task, jailed, roster, recovered))


def named(records: list[Overpayment]) -> list[tuple[str, Overpayment]]:
    return [(ID if n == 1 else f"{ID}:{n}", o) for n, o in enumerate(records, 1)]


def release(
    records: list[Overpayment], on: date, recovered: str = "0.00", status: str | None = None
) -> Released | None:
    total = sum((o.amount for o in records), Decimal(0))
    got = int(Decimal(recovered) * 100)
    default = "pending" if got == 0 else "partially_recovered" if got < total * 100 else "recovered"
    months = sum(o.months for o in records)
    balance = Balance(months, int(total * 100), got, RecoveryStatus(status or default))
    return released(named(records), on, balance, note="released")


def plain(result: Released) -> list[tuple[str, str, str, int, str, str, str]]:
    return [
        (i, o.period_from.isoformat(), o.period_to.isoformat(), o.months, str(o.amount),
         str(o.recovered_amount), o.recovery_status.value)
        for i, o in result.records
    ]  # fmt: skip


def balance(result: Released) -> tuple[int, int, int, str, int]:
    return (
        result.months_count,
        result.amount_cents,
        result.recovered_cents,
        result.status.value,
        result.refund_cents,
    )


def test_the_brief_case_714_recovered_238_refunded() -> None:
    records = counted(date(2026, 3, 10), "2026-11")
    assert [(o.period_from, o.period_to, o.amount) for o in records] == [
        (date(2026, 4, 1), date(2026, 11, 30), Decimal("1904.00"))
    ]
    result = release(records, date(2026, 5, 31), "714.00")
    assert result is not None
    assert plain(result) == [
        (f"{ID}:released", "2026-04-01", "2026-05-31", 2, "476.00", "476.00", "recovered"),
        (f"{ID}:released:voided", "2026-06-01", "2026-11-30", 6, "1428.00", "238.00", "voided"),
    ]
    assert result.months == tuple(f"2026-{m:02d}" for m in range(6, 12))
    assert balance(result) == (2, 47600, 47600, "recovered", 23800)
    assert result.cut_cents == 142800


def test_nothing_recovered_yet_nothing_refunded() -> None:
    result = release(counted(date(2026, 3, 10), "2026-11"), date(2026, 5, 31))
    assert result is not None
    assert balance(result) == (2, 47600, 0, "pending", 0)
    assert [r[-2:] for r in plain(result)] == [("0.00", "pending"), ("0.00", "voided")]


def test_recovered_within_the_prison_months_is_kept() -> None:
    result = release(counted(date(2026, 3, 10), "2026-11"), date(2026, 5, 31), "238.00")
    assert result is not None
    assert balance(result) == (2, 47600, 23800, "partially_recovered", 0)
    assert plain(result)[0][-2:] == ("238.00", "partially_recovered")


def test_across_the_year_end() -> None:
    records = counted(date(2025, 11, 20), "2026-03")
    assert [(o.period_from, o.months) for o in records] == [(date(2025, 12, 1), 4)]
    result = release(records, date(2025, 12, 31), "476.00")
    assert result is not None
    assert plain(result) == [
        (f"{ID}:released", "2025-12-01", "2025-12-31", 1, "238.00", "238.00", "recovered"),
        (f"{ID}:released:voided", "2026-01-01", "2026-03-31", 3, "714.00", "238.00", "voided"),
    ]
    assert result.months == ("2026-01", "2026-02", "2026-03")
    assert balance(result) == (1, 23800, 23800, "recovered", 23800)
    # released on New Year's Day: January was a prison month, February on payable
    result = release(records, date(2026, 1, 1), "476.00")
    assert result is not None
    assert result.months == ("2026-02", "2026-03")
    assert balance(result) == (2, 47600, 47600, "recovered", 0)


def test_a_leap_february() -> None:
    records = counted(date(2028, 1, 15), "2028-05")
    result = release(records, date(2028, 2, 29))
    assert result is not None
    assert plain(result)[0][:5] == (f"{ID}:released", "2028-02-01", "2028-02-29", 1, "238.00")
    assert result.months == ("2028-03", "2028-04", "2028-05")
    result = release(records, date(2028, 3, 1))
    assert result is not None
    assert plain(result)[0][:5] == (f"{ID}:released", "2028-02-01", "2028-03-31", 2, "476.00")
    assert result.months == ("2028-04", "2028-05")
    assert balance(result) == (2, 47600, 0, "pending", 0)


def test_released_in_the_event_month_voids_it_whole() -> None:
    """No month after the event's was a prison month: voided as a voided termination's,
    amount and months kept, the 714.00 recovered refunded."""
    result = release(counted(date(2026, 3, 10), "2026-11"), date(2026, 3, 31), "714.00")
    assert result is not None
    assert plain(result) == [
        (f"{ID}:voided", "2026-04-01", "2026-11-30", 8, "1904.00", "714.00", "voided"),
    ]
    assert len(result.months) == 8
    assert balance(result) == (8, 190400, 71400, "voided", 71400)


def test_released_after_the_last_month_counted_changes_nothing() -> None:
    records = counted(date(2026, 3, 10), "2026-11")
    assert release(records, date(2026, 11, 30), "714.00") is None
    assert release(records, date(2026, 12, 2)) is None
    assert release(records, date(2026, 5, 31), "0.00", "voided") is None


def test_two_runs_around_a_month_recovered_before() -> None:
    """2026-06 recovered by an earlier disposal: 2026-04..05 (476.00) and 2026-07..11
    (1,190.00) counted, 714.00 recovered (the first run in full, 238.00 of the second)."""
    records = counted(date(2026, 3, 10), "2026-11", recovered=("2026-06",))
    assert [(o.period_from, o.months) for o in records] == [
        (date(2026, 4, 1), 2),
        (date(2026, 7, 1), 5),
    ]
    result = release(records, date(2026, 8, 15), "714.00")
    assert result is not None
    assert plain(result) == [
        (f"{ID}:2:released", "2026-07-01", "2026-08-31", 2, "476.00", "238.00",
         "partially_recovered"),
        (f"{ID}:2:released:voided", "2026-09-01", "2026-11-30", 3, "714.00", "0.00", "voided"),
    ]  # fmt: skip
    assert balance(result) == (4, 95200, 71400, "partially_recovered", 0)
    # released in May: the second run wholly cut, the first untouched
    result = release(records, date(2026, 5, 10), "714.00")
    assert result is not None
    assert plain(result) == [
        (f"{ID}:2:released:voided", "2026-07-01", "2026-11-30", 5, "1190.00", "238.00", "voided"),
    ]
    assert balance(result) == (2, 47600, 47600, "recovered", 23800)


def test_a_written_off_balance_stays_written_off() -> None:
    result = release(counted(date(2026, 3, 10), "2026-11"), date(2026, 5, 31), "238.00",
                     "written_off")  # fmt: skip
    assert result is not None
    assert balance(result) == (2, 47600, 23800, "written_off", 0)
    assert plain(result)[0][-2:] == ("238.00", "written_off")
