"""A suspension begun in the month a proposal resumed payment in (issue 13, review).

Fixed vectors, worked out by hand: 238.00 a month. A restoration proposal approved on
2028-02-20 resumes payment from 2028-02-01 (``resumed`` 2028-02). The hub's roster,
received before that approval, says suspended since 2028-02-10 (the province applied
the termination the proposal lifted): that suspension is the one ended, so back pay
of 2028-03 (2028-03-01 … 2028-03-31, restored 2028-04-01) would pay March twice —
``months-already-counted``. Had the province's entry come after the resumption, its
suspension since 2028-02-10 is a new one: March is back-paid, 238.00. The same across
the year boundary: resumed 2027-12, suspended since 2027-12-15, back pay 2028-01; and
a suspension since 2028-02-29 against a resumption in 2028-02. Checked on 2028-04-09.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from certhub.hub.rules.restoration import check_restoration, check_resumed
from certhub.schemas import Refusal

from .conftest import restoration_of, roster_of  # type: ignore[import-not-found]

ON = date(2028, 4, 9)
NOW = datetime(2028, 4, 9, 2, 0, tzinfo=UTC)
MARCH = {
    "suspended_since": "2028-02-10",
    "back_pay_from": "2028-03-01",
    "back_pay_to": "2028-03-31",
    "restore_from": "2028-04-01",
    "back_pay_amount": "238.00",
}
ROSTER = {"status": "suspended", "suspended_since": "2028-02-10", "paid_through": "2028-01"}


def months(after_roster: frozenset[str]) -> int:
    """Months back-paid by MARCH with 2028-02 resumed, ``after_roster`` as given."""
    restoration = restoration_of(NOW, **MARCH)
    entry = roster_of(restoration, NOW, **ROSTER)
    return check_restoration(
        restoration,
        entry,
        on=ON,
        resumed=frozenset({"2028-02"}),
        resumed_after_roster=after_roster,
    ).months


def test_a_suspension_the_roster_showed_before_the_resumption_is_not_back_paid() -> None:
    with pytest.raises(Refusal) as caught:
        months(frozenset({"2028-02"}))
    assert caught.value.slug == "months-already-counted"
    assert "resumed payment in 2028-02" in caught.value.detail


def test_a_suspension_the_province_began_after_the_resumption_is_back_paid() -> None:
    assert months(frozenset()) == 1


@pytest.mark.parametrize(
    ("stopped", "resumed", "back_pay_to", "after_roster", "refused"),
    [
        (date(2027, 12, 15), "2027-12", date(2028, 1, 31), True, True),
        (date(2027, 12, 15), "2027-12", date(2028, 1, 31), False, False),
        (date(2028, 2, 29), "2028-02", date(2028, 3, 31), True, True),
        (date(2028, 2, 1), "2028-02", date(2028, 3, 31), True, True),
        (date(2028, 2, 1), "2028-02", date(2028, 3, 31), False, False),
        (date(2028, 3, 1), "2028-02", date(2028, 3, 31), True, False),  # a later month: new
        (date(2028, 1, 31), "2028-02", date(2028, 3, 31), False, True),  # before: as ever
        (date(2028, 2, 10), "2028-04", date(2028, 3, 31), True, False),  # resumed after it
    ],
)
def test_check_resumed_by_the_month_and_the_roster_entry(
    stopped: date, resumed: str, back_pay_to: date, after_roster: bool, refused: bool
) -> None:
    newer = {resumed} if after_roster else set()
    if refused:
        with pytest.raises(Refusal) as caught:
            check_resumed(stopped, back_pay_to, {resumed}, newer)
        assert caught.value.slug == "months-already-counted"
    else:
        check_resumed(stopped, back_pay_to, {resumed}, newer)
