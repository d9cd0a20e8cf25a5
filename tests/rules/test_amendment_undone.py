"""An approved amendment's record withdrawn: the months it added are overpaid no more
(hub/rules/amendment_undone.py), on hand-computed vectors at 238.00 a month.

Died on 2026-10-03, confirmed while the roster paid through 2026-12: 2026-11..12 = 476.00
(``overpayment:t``). An amendment to 2026-09-03, approved: 2026-10 = 238.00 more
(``overpayment:t:2``), 714.00. Its record withdrawn, the death moves back to 2026-10-03:
2026-10 is the death month, payable, and is cut. Recovery is spread over the records in the
order signed, so the 476.00 kept take the first 476.00 recovered and only what was
recovered beyond it is refunded: 714.00 recovered, 238.00; 600.00, 124.00; 300.00, nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from disposalkit import confirmed_task, moved_back_balance, roster_entry

from certhub.hub.rules.disposal import overpaid
from certhub.hub.rules.release_refund import Released
from certhub.schemas import Overpayment, RecoveryStatus

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
DIED = date(2026, 10, 3)
EARLIER = date(2026, 9, 3)


def records() -> list[tuple[str, Overpayment]]:
    """The confirmation's record and the amendment's, as signed."""
    task = confirmed_task(NOW)
    roster = roster_entry(task.person, NOW, "2026-12")
    (first,) = overpaid(task, DIED, roster)
    (added,) = overpaid(task, EARLIER, roster, ("2026-11", "2026-12"), until=DIED)
    return [("overpayment:t", first), ("overpayment:t:2", added)]


def undo(
    signed: list[tuple[str, Overpayment]], recovered: int, status: str, to: date = DIED
) -> Released | None:
    """``signed`` moved back to a death on ``to`` (the amendment's record withdrawn)."""
    return moved_back_balance(signed, to, recovered, status)


def plain(result: Released) -> list[tuple[str, str, str, str, str, str]]:
    return [
        (i, o.period_from.isoformat(), o.period_to.isoformat(), str(o.amount),
         str(o.recovered_amount), o.recovery_status.value)
        for i, o in result.records
    ]  # fmt: skip


def test_the_amendments_month_is_cut_and_what_was_taken_of_it_refunded() -> None:
    for recovered, kept, refund, status in (
        (0, 0, 0, "pending"),
        (30000, 30000, 0, "partially_recovered"),
        (60000, 47600, 12400, "recovered"),
        (71400, 47600, 23800, "recovered"),
    ):
        before = "recovered" if recovered == 71400 else "partially_recovered"
        result = undo(records(), recovered, before if recovered else "pending")
        assert result is not None
        assert plain(result) == [
            ("overpayment:t:2:released:voided", "2026-10-01", "2026-10-31", "238.00",
             f"{refund // 100}.{refund % 100:02d}", "voided"),
        ]  # fmt: skip
        assert (result.months, result.months_count, result.amount_cents) == (("2026-10",), 2, 47600)
        assert (result.recovered_cents, result.refund_cents) == (kept, refund)
        assert result.status.value == status


def test_a_written_off_balance_stays_written_off_for_the_months_kept() -> None:
    # 300.00 recovered, 414.00 written off: 2026-10 cut, nothing of it was recovered
    result = undo(records(), 30000, "written_off")
    assert result is not None
    assert (result.amount_cents, result.recovered_cents, result.refund_cents) == (47600, 30000, 0)
    assert result.status is RecoveryStatus.written_off


def test_a_balance_only_the_amendment_opened_is_voided_whole() -> None:
    # confirmed while paid through 2026-10 (nothing overpaid); the amendment added 2026-10
    added = records()[1:]
    result = undo(added, 10000, "partially_recovered")
    assert result is not None
    assert plain(result) == [
        ("overpayment:t:2:voided", "2026-10-01", "2026-10-31", "238.00", "100.00", "voided")
    ]
    assert (result.months_count, result.amount_cents) == (1, 23800)
    assert (result.recovered_cents, result.refund_cents, result.status.value) == (
        10000, 10000, "voided"
    )  # fmt: skip


def test_a_record_spanning_the_restored_death_month_is_split() -> None:
    # one record 2026-09..12 (952.00), the death moved back to 2026-10-03: 2026-09..10 cut
    task = confirmed_task(NOW)
    (whole,) = overpaid(task, date(2026, 8, 3), roster_entry(task.person, NOW, "2026-12"))
    result = undo([("overpayment:t", whole)], 60000, "partially_recovered")
    assert result is not None
    assert plain(result) == [
        ("overpayment:t:released", "2026-11-01", "2026-12-31", "476.00", "476.00", "recovered"),
        ("overpayment:t:released:voided", "2026-09-01", "2026-10-31", "476.00", "124.00",
         "voided"),
    ]  # fmt: skip
    assert (result.months, result.amount_cents, result.refund_cents) == (
        ("2026-09", "2026-10"), 47600, 12400
    )  # fmt: skip


def test_nothing_changes_without_a_month_up_to_the_death_month_or_once_voided() -> None:
    assert undo(records()[:1], 0, "pending") is None  # 2026-11..12 only: all after 2026-10
    assert undo(records(), 0, "pending", to=date(2026, 8, 31)) is None
    assert undo(records(), 0, "voided") is None
