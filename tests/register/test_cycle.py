"""The cycle rule and the list cursor's key, pure: fixed vectors and properties."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from certhub.hub.register.lists import person_id_of, person_key
from certhub.hub.rules.cycle import Certified, covered_until, due_month, fold, liable_from
from certhub.hub.rules.months import month_index


def test_the_due_month_vectors() -> None:
    assert due_month(date(2026, 3, 31)) == "2027-03"  # covers 2026-04 .. 2027-03
    assert due_month(date(2026, 3, 1)) == "2027-03"
    assert due_month(date(2025, 12, 31)) == "2026-12"
    assert due_month(date(2026, 1, 1)) == "2027-01"
    assert due_month(date(2024, 2, 29)) == "2025-02"


def test_liable_from_is_the_day_after_the_due_month_plus_the_grace() -> None:
    march_2027 = month_index(date(2027, 3, 1))
    assert liable_from(march_2027) == date(2027, 4, 1)
    assert liable_from(march_2027, grace_months=1) == date(2027, 5, 1)
    december = month_index(date(2026, 12, 1))
    assert liable_from(december) == date(2027, 1, 1)  # the year rolls
    assert covered_until(december) == date(2026, 12, 31)
    assert covered_until(month_index(date(2028, 2, 1))) == date(2028, 2, 29)


def test_one_record_per_cycle_and_the_last_sets_the_due_month() -> None:
    history = [
        Certified(1, date(2026, 3, 31)),  # the record
        Certified(2, date(2026, 3, 2)),  # same month, recorded later: linked, not the last
        Certified(3, date(2027, 2, 28)),  # the 11th month after: linked, moves the due month
        Certified(4, date(2028, 1, 10)),  # 22 months after the record: the next cycle
        Certified(5, date(2028, 1, 10)),  # same day: linked, and the last (recorded later)
    ]
    state = fold(history)
    assert state is not None
    assert state.links == ((1, 1), (2, 1), (3, 1), (4, 4), (5, 4))
    assert (state.record, state.last.sequence) == (4, 5)
    assert state.due == month_index(date(2029, 1, 1))
    assert fold([]) is None


def test_the_due_month_opens_the_next_cycle() -> None:
    state = fold([Certified(1, date(2026, 3, 15)), Certified(2, date(2027, 3, 1))])
    assert state is not None
    assert state.links == ((1, 1), (2, 2))


# a real ID number starts with a province code (11 .. 82): never all zeros, the "start" key
@given(st.integers(min_value=11 * 10**15, max_value=10**17 - 1), st.sampled_from("0123456789X"))
def test_the_cursor_key_round_trips_and_sorts_like_the_id_number(first: int, check: str) -> None:
    person = f"{first:017d}{check}"
    assert person_id_of(person_key(person)) == person


@given(st.lists(st.from_regex(r"\A[0-9]{17}[0-9X]\Z"), min_size=2, max_size=20))
def test_keys_order_like_the_text(people: list[str]) -> None:
    assert sorted(people) == sorted(people, key=person_key)
