"""A month a restoration resumes payment in is never back-paid by another (issue 13).

Fixed vectors, worked out by hand: suspended since 2027-12-15, paid through 2027-12,
238.00 a month. An earlier restoration (not rejected) back-paid 2028-01 and resumes
payment in 2028-02 (``resumed``); the hub's roster still says suspended since
2027-12-15. February 2028 has 29 days: back pay of it runs 2028-02-01 … 2028-02-29.
Checked on 2028-03-09.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from certhub.hub.rules.restoration import check_restoration, check_resumed
from certhub.schemas import Refusal

from .conftest import restoration_of, roster_of  # type: ignore[import-not-found]

ON = date(2028, 3, 9)
NOW = datetime(2028, 3, 9, 2, 0, tzinfo=UTC)
RESUMED = frozenset({"2028-02"})
FEBRUARY = {
    "suspended_since": "2027-12-15",
    "back_pay_from": "2028-02-01",
    "back_pay_to": "2028-02-29",
    "restore_from": "2028-03-01",
    "back_pay_amount": "238.00",
}
ROSTER = {"status": "suspended", "suspended_since": "2027-12-15", "paid_through": "2027-12"}


def checked(filed: dict[str, Any], roster: dict[str, Any], resumed: frozenset[str]) -> int:
    """Months back-paid by ``filed`` on the roster ``roster``; a Refusal if refused."""
    restoration = restoration_of(NOW, **filed)
    entry = roster_of(restoration, NOW, **roster)
    return check_restoration(restoration, entry, on=ON, resumed=resumed).months


def test_the_month_an_earlier_restoration_resumed_in_is_not_back_paid() -> None:
    with pytest.raises(Refusal) as caught:
        checked(FEBRUARY, ROSTER, RESUMED)
    assert caught.value.slug == "months-already-counted"
    assert "resumed payment in 2028-02" in caught.value.detail
    assert checked(FEBRUARY, ROSTER, frozenset()) == 1  # no earlier restoration: paid


def test_months_before_the_resumption_may_still_be_back_paid() -> None:
    january = FEBRUARY | {
        "back_pay_from": "2028-01-01", "back_pay_to": "2028-01-31",
        "restore_from": "2028-02-01",
    }  # fmt: skip
    assert checked(january, ROSTER, RESUMED) == 1  # the ledger's back_paid key guards 2028-01


@pytest.mark.parametrize(
    ("since", "paid", "refused"),
    [
        ("2028-01-31", "2028-01", True),  # began the day before the resumption: the same one
        ("2028-02-01", "2028-01", False),  # began with it: a new suspension
    ],
)
def test_a_suspension_begun_once_payment_resumed_is_a_new_one(
    since: str, paid: str, refused: bool
) -> None:
    filed = FEBRUARY | {"suspended_since": since}
    roster = ROSTER | {"suspended_since": since, "paid_through": paid}
    if refused:
        with pytest.raises(Refusal) as caught:
            checked(filed, roster, RESUMED)
        assert caught.value.slug == "months-already-counted"
    else:
        assert checked(filed, roster, RESUMED) == 1


@pytest.mark.parametrize(
    ("stopped", "back_pay_to", "resumed", "refused"),
    [
        (date(2027, 12, 15), date(2028, 2, 29), {"2028-02"}, True),
        (date(2027, 12, 15), date(2028, 1, 31), {"2028-02"}, False),
        (date(2027, 12, 15), date(2028, 2, 29), {"2027-06"}, False),  # an older suspension's
        (date(2027, 12, 15), date(2028, 2, 29), {"2027-12"}, False),  # resumed before the 15th
        (date(2027, 12, 1), date(2028, 2, 29), {"2027-12"}, False),  # began with it: new
        (date(2027, 11, 30), date(2028, 2, 29), {"2027-06", "2027-12"}, True),
    ],
)
def test_check_resumed_vectors(
    stopped: date, back_pay_to: date, resumed: set[str], refused: bool
) -> None:
    if refused:
        with pytest.raises(Refusal) as caught:
            check_resumed(stopped, back_pay_to, resumed)
        assert caught.value.slug == "months-already-counted"
    else:
        check_resumed(stopped, back_pay_to, resumed)
