"""Approved amendments whose records are withdrawn one after another, across a year end and
2024-02-29 (hub/rules/amendment_undone.py), on hand-computed vectors at 238.00 a month.

Each cut is applied to the records as the hub reads them back
(:func:`~certhub.hub.procedure.recovery.records_in_force`): a record cut to nothing
(``<id>:released:voided``) is left out, a split one is read as its months kept. The balance
the next cut starts from is the one the first left: a month is refunded at most once, and
only what was recovered beyond the months kept.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from disposalkit import confirmed_task, moved_back_balance, roster_entry

from certhub.hub.rules.disposal import overpaid
from certhub.hub.rules.release_refund import Released
from certhub.schemas import Overpayment, RecoveryStatus

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def chain(died: date, paid_through: str, *earlier: date) -> list[tuple[str, Overpayment]]:
    """The confirmation's records (died ``died``, paid through ``paid_through``) and each
    approved amendment's in turn (``earlier``, each before the last), as signed."""
    task = confirmed_task(NOW)
    roster = roster_entry(task.person, NOW, paid_through)
    signed = [("overpayment:t", o) for o in overpaid(task, died, roster)]
    in_force = died
    for n, new in enumerate(earlier, start=2):
        counted = [o.period_from.strftime("%Y-%m") for _, o in signed]
        counted += [o.period_to.strftime("%Y-%m") for _, o in signed]
        (added,) = overpaid(task, new, roster, sorted(set(counted)), until=in_force)
        signed.append((f"overpayment:t:{n}", added))
        in_force = new
    return signed


def cut(signed: list[tuple[str, Overpayment]], to: date, recovered: int, status: str) -> Released:
    """``signed`` cut back to a death on ``to``, ``recovered`` taken, the balance ``status``."""
    result = moved_back_balance(signed, to, recovered, status)
    assert result is not None
    return result


def read_back(
    signed: list[tuple[str, Overpayment]], result: Released
) -> list[tuple[str, Overpayment]]:
    """The records in force after ``result`` is written (as records_in_force reads them)."""
    written = dict(result.records)
    return [
        (i, written.get(f"{i}:released", o))
        for i, o in signed
        if f"{i}:released" in written or f"{i}:released:voided" not in written
    ]


def figures(result: Released) -> tuple[int, int, int]:
    """The balance left, what it holds recovered, and what is refunded (cents)."""
    return result.amount_cents, result.recovered_cents, result.refund_cents


def months(result: Released) -> list[tuple[str, str, str, str]]:
    """Each record ``result`` signs: id, first month, amount, recovered (refunded if voided)."""
    return [
        (i, o.period_from.isoformat(), str(o.amount), str(o.recovered_amount))
        for i, o in result.records
    ]


def test_a_year_end_amendment_withdrawn() -> None:
    # died 2027-01-03, paid through 2027-02: 2027-02 = 238.00; amended to 2026-11-30:
    # 2026-12..2027-01 = 476.00 more (714.00); 500.00 recovered (238.00 of 2027-02 first)
    signed = chain(date(2027, 1, 3), "2027-02", date(2026, 11, 30))
    assert [(o.period_from.isoformat(), o.months) for _, o in signed] == [
        ("2027-02-01", 1), ("2026-12-01", 2)
    ]  # fmt: skip
    result = cut(signed, date(2027, 1, 3), 50000, "partially_recovered")
    assert result.months == ("2026-12", "2027-01")
    assert figures(result) == (23800, 23800, 26200)
    assert result.status is RecoveryStatus.recovered
    assert months(result) == [("overpayment:t:2:released:voided", "2026-12-01", "476.00", "262.00")]


def test_two_amendments_around_2024_02_29_withdrawn_last_first() -> None:
    # died 2024-03-01, paid through 2024-04: 2024-04 = 238.00; amended to 2024-02-29
    # (2024-03 = 238.00 more), then to 2024-01-31 (2024-02 = 238.00 more): 714.00, 600.00
    # recovered. The last withdrawn (2024-02-29 stands): 2024-02 cut, 476.00 kept, 124.00
    # refunded; then the first: 2024-03 cut, 238.00 kept, 238.00 refunded — 362.00 in all,
    # every month refunded once, 238.00 (2024-04) kept.
    signed = chain(date(2024, 3, 1), "2024-04", date(2024, 2, 29), date(2024, 1, 31))
    first = cut(signed, date(2024, 2, 29), 60000, "partially_recovered")
    assert first.months == ("2024-02",)
    assert figures(first) == (47600, 47600, 12400)
    assert months(first) == [("overpayment:t:3:released:voided", "2024-02-01", "238.00", "124.00")]
    left = read_back(signed, first)
    assert [i for i, _ in left] == ["overpayment:t", "overpayment:t:2"]
    second = cut(left, date(2024, 3, 1), first.recovered_cents, first.status.value)
    assert second.months == ("2024-03",)
    assert figures(second) == (23800, 23800, 23800)
    assert months(second) == [("overpayment:t:2:released:voided", "2024-03-01", "238.00", "238.00")]
    assert first.refund_cents + second.refund_cents == 60000 - 23800


def test_the_first_amendment_withdrawn_once_both_are_moves_both_months() -> None:
    # the same chain, both records withdrawn, the first last (the second no longer stands):
    # the death goes back to 2024-03-01 at once, 2024-02..03 cut, 600.00 - 238.00 refunded
    signed = chain(date(2024, 3, 1), "2024-04", date(2024, 2, 29), date(2024, 1, 31))
    result = cut(signed, date(2024, 3, 1), 60000, "partially_recovered")
    assert sorted(result.months) == ["2024-02", "2024-03"]
    assert figures(result) == (23800, 23800, 36200)
    assert months(result) == [
        ("overpayment:t:2:released:voided", "2024-03-01", "238.00", "238.00"),
        ("overpayment:t:3:released:voided", "2024-02-01", "238.00", "124.00"),
    ]


def test_a_written_off_balance_across_the_year_end_stays_written_off() -> None:
    # 714.00 written off with 100.00 recovered: 2026-12..2027-01 cut, 238.00 kept holds the
    # 100.00, nothing refunded, the rest still written off
    signed = chain(date(2027, 1, 3), "2027-02", date(2026, 11, 30))
    result = cut(signed, date(2027, 1, 3), 10000, "written_off")
    assert figures(result) == (23800, 10000, 0)
    assert result.status is RecoveryStatus.written_off
