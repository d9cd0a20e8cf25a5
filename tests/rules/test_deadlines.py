"""Deadlines: when a task is reminded and escalated, and when a bad rating is due put right."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certhub.hub.rules.deadlines import DEFAULT_DEADLINE_DAYS, due_at, stage_due
from certhub.hub.rules.ratings import follow_up_due, working_days_after
from certhub.schemas.clock import CHINA_STANDARD_TIME

OPENED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
DUE = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)  # 30 days later, written out by hand


def test_a_death_is_due_thirty_days_after_it_opened_unless_the_settings_say_otherwise() -> None:
    assert due_at(OPENED, "death", {}) == DUE
    assert due_at(OPENED, "missing", {}) == datetime(2027, 1, 1, 9, 30, tzinfo=UTC)
    assert due_at(OPENED, "death", {"death": 20}) == datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    assert due_at(OPENED, "missing", {"death": 20}) == datetime(2027, 1, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "reminded", "escalated", "stage"),
    [
        (DUE - timedelta(days=5, seconds=1), False, False, None),  # a second too early
        (DUE - timedelta(days=5), False, False, "reminder"),  # exactly five days before
        (DUE, False, False, "reminder"),  # the deadline itself is still on time
        (DUE, True, False, None),  # reminded once only
        (DUE + timedelta(microseconds=1), True, False, "escalated"),
        (DUE + timedelta(days=40), False, False, "escalated"),  # never reminded late
        (DUE + timedelta(days=40), True, True, None),  # escalated once only
    ],
)
def test_the_stage_at_each_boundary(
    now: datetime, reminded: bool, escalated: bool, stage: str | None
) -> None:
    assert stage_due(DUE, now, reminder_days=5, reminded=reminded, escalated=escalated) == stage


@given(
    kind=st.sampled_from(sorted(DEFAULT_DEADLINE_DAYS)),
    offset=st.integers(min_value=-90 * 86400, max_value=90 * 86400),
    reminder_days=st.integers(min_value=0, max_value=20),
)
def test_a_task_is_escalated_exactly_when_it_is_past_due(
    kind: str, offset: int, reminder_days: int
) -> None:
    due = due_at(OPENED, kind, {})
    now = due + timedelta(seconds=offset)
    stage = stage_due(due, now, reminder_days=reminder_days, reminded=True, escalated=False)
    assert (stage == "escalated") == (offset > 0)
    assert stage in (None, "escalated")


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (date(2026, 12, 4), date(2026, 12, 25)),  # a Friday: three full weeks on
        (date(2026, 12, 5), date(2026, 12, 25)),  # a Saturday counts from Monday
        (date(2026, 12, 7), date(2026, 12, 28)),  # a Monday: the fifteenth is a Monday
        (date(2026, 12, 31), date(2027, 1, 21)),  # across the year
    ],
)
def test_a_bad_rating_is_put_right_within_fifteen_working_days(start: date, due: date) -> None:
    assert working_days_after(start, 15) == due
    rated = datetime.combine(start, time(23, 30), CHINA_STANDARD_TIME)
    assert follow_up_due(rated) == datetime.combine(due, time(23, 59, 59), CHINA_STANDARD_TIME)
