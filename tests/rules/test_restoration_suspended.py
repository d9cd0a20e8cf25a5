"""A voided termination whose roster entry the province meanwhile suspended (rule 7).

Fixed vectors, worked out by hand: a false death on 2027-03-10, terminated by
task ``task-cmp`` and now voided; the province suspended the benefit from
2027-04-01, paid through 2027-03, 238.00 a month. Decided on 2028-03-09, the
months unpaid are 2027-04 … 2028-02: nine in 2027 and two in 2028, 11 × 238.00
= 2,618.00, regular pay again from 2028-03-01. From 2027-03-10 to 2028-03-09
is 365 days (the year holds 2028-02-29): county level; 2028-03-10 is day 366:
the city. Month indexes are ``year × 12 + month − 1`` (2028-02: 24,337).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from certhub.hub.rules.restoration import (
    OtherCauses,
    VoidedTermination,
    check_restoration,
    propose_restoration,
)
from certhub.schemas import BenefitRecord, Refusal, Restoration

from .conftest import restoration_of, roster_of  # type: ignore[import-not-found]

DECIDED = date(2028, 3, 9)
NOW = datetime(2028, 3, 9, 2, 0, tzinfo=UTC)  # 10:00 in China: still 2028-03-09
VOIDED = VoidedTermination("task-cmp", date(2027, 3, 10))
NOTHING_ELSE = OtherCauses()
OTHER = "restoration-other-suspension"
PERIOD = "restoration-period-invalid"
FEB_2028 = 2028 * 12 + 1
MAR_2028 = 2028 * 12 + 2
UNPAID = ("2027-04", "2027-05", "2027-06", "2027-07", "2027-08", "2027-09",
          "2027-10", "2027-11", "2027-12", "2028-01", "2028-02")  # fmt: skip
FILED = {
    "suspended_since": "2027-03-10",  # the termination's effective_from, not the roster's
    "restore_from": "2028-03-01",
    "back_pay_from": "2027-04-01",
    "back_pay_to": "2028-02-29",
    "back_pay_amount": "2618.00",
}
SUSPENDED = {"status": "suspended", "suspended_since": "2027-04-01", "paid_through": "2027-03"}


def filed(**changes: Any) -> Restoration:
    return restoration_of(NOW, **(FILED | changes))


def roster(**changes: Any) -> BenefitRecord:
    return roster_of(filed(), NOW, **(SUSPENDED | changes))


def refused(call: Any, *args: Any, **kw: Any) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call(*args, **kw)
    return caught.value


def test_the_proposal_lifts_a_suspension_that_followed_the_termination() -> None:
    plan = propose_restoration(VOIDED, roster(), on=DECIDED, others=NOTHING_ELSE)
    assert plan.back_paid == UNPAID
    assert plan.amount == Decimal("2618.00")
    assert plan.restore_from == date(2028, 3, 1)
    assert plan.municipal is False


@pytest.mark.parametrize(("on", "municipal"), [(DECIDED, False), (date(2028, 3, 10), True)])
def test_the_year_runs_from_the_termination_across_a_leap_day(on: date, municipal: bool) -> None:
    plan = propose_restoration(VOIDED, roster(), on=on, others=NOTHING_ELSE)
    assert plan.municipal is municipal
    assert plan.back_paid == UNPAID  # 2028-03-10 is still March: the same months


def test_a_suspension_from_the_day_the_termination_took_effect_is_its_own() -> None:
    entry = roster(suspended_since="2027-03-10", paid_through="2027-02")
    plan = propose_restoration(VOIDED, entry, on=DECIDED, others=NOTHING_ELSE)
    assert plan.back_paid == ("2027-03", *UNPAID)  # the death's month was payable
    assert plan.amount == Decimal("2856.00")  # 12 × 238.00


def test_a_suspension_from_before_the_termination_has_another_cause() -> None:
    entry = roster(suspended_since="2027-03-09")
    problem = refused(propose_restoration, VOIDED, entry, on=DECIDED, others=NOTHING_ELSE)
    assert problem.slug == OTHER
    assert "2027-03-09" in str(problem)


@pytest.mark.parametrize(
    ("others", "lifted"),
    [
        (OtherCauses(due_month=MAR_2028), True),  # due this month: not overdue yet
        (OtherCauses(due_month=FEB_2028), False),  # due last month: overdue
        (None, False),  # not looked up: never lifted
    ],
)
def test_a_suspension_another_cause_may_explain_is_not_lifted(
    others: OtherCauses | None, lifted: bool
) -> None:
    if lifted:
        assert propose_restoration(VOIDED, roster(), on=DECIDED, others=others).back_paid == UNPAID
        assert check_restoration(**staff(others=others)).back_paid == UNPAID
        return
    assert refused(propose_restoration, **proposal_args(others)).slug == OTHER
    assert refused(check_restoration, **staff(others=others)).slug == OTHER


def proposal_args(others: OtherCauses | None) -> dict[str, Any]:
    return {"voided": VOIDED, "roster": roster(), "on": DECIDED, "others": others}


def staff(r: Restoration | None = None, **kw: Any) -> dict[str, Any]:
    """The arguments of staff's request ``r`` checked on the day of the decision."""
    args = {
        "restoration": r or filed(),
        "roster": roster(),
        "on": DECIDED,
        "terminated_by": "death, task task-cmp",
        "voided": VOIDED,
        "others": NOTHING_ELSE,
    }
    return args | kw


def test_staff_restore_the_same_months_through_the_leap_day() -> None:
    result = check_restoration(**staff())
    assert (result.months, result.municipal, result.back_paid) == (11, False, UNPAID)
    assert check_restoration(**staff(on=date(2028, 3, 10))).municipal is True


@pytest.mark.parametrize(
    ("changes", "slug"),
    [
        ({"suspended_since": "2027-04-01"}, PERIOD),  # the roster's date, not the termination's
        ({"back_pay_to": "2028-02-28", "back_pay_amount": "2618.00"}, PERIOD),  # not whole
        ({"back_pay_from": "2027-03-01", "back_pay_amount": "2856.00"}, PERIOD),  # 2027-03 paid
        ({"back_pay_amount": "2380.00"}, "restoration-amount-mismatch"),
    ],
)
def test_staff_requests_are_checked_as_for_a_terminated_roster(
    changes: dict[str, str], slug: str
) -> None:
    assert refused(check_restoration, **staff(filed(**changes))).slug == slug


def test_without_the_void_a_suspended_roster_stays_the_hub_s_termination() -> None:
    problem = refused(check_restoration, **staff(voided=None))
    assert problem.slug == "restoration-not-suspended"
