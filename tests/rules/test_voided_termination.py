"""Restoring a benefit the hub terminated on a death its departments then voided (rule 7).

Fixed vectors: a false cremation record dated 2026-09-03, the benefit paid
through 2026-09 at 238.00 a month, terminated by task ``task-cmp`` and now
voided. Restored from 2026-12-01, back pay for 2026-10 and 2026-11 is 2 × 238.00
= 476.00; the benefit stopped 2026-09-03, so municipal approval is needed from
2027-09-04 (366 days), not on 2027-09-03 (365 days).
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

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
TERMINATED = "death, task task-cmp"
VOIDED = VoidedTermination("task-cmp", date(2026, 9, 3))


RESTORED = {
    "suspended_since": "2026-09-03",  # the termination's effective_from
    "restore_from": "2026-12-01",
    "back_pay_from": "2026-10-01",
    "back_pay_to": "2026-11-30",
    "back_pay_amount": "476.00",
}
TERMINATED_ENTRY = {"status": "terminated", "paid_through": "2026-09"}  # the province applied it


def restoration(**changes: Any) -> Restoration:
    return restoration_of(NOW, **(RESTORED | changes))


def roster(r: Restoration, **changes: Any) -> BenefitRecord:
    return roster_of(r, NOW, **(TERMINATED_ENTRY | changes))


def check(r: Restoration, record: BenefitRecord | None = None, **kw: Any) -> Any:
    kw = {"on": NOW.date(), "terminated_by": TERMINATED, "voided": VOIDED} | kw
    return check_restoration(r, roster(r) if record is None else record, **kw)


def refused(slug: str, r: Restoration, record: BenefitRecord | None = None, **kw: Any) -> str:
    with pytest.raises(Refusal) as caught:
        check(r, record, **kw)
    assert caught.value.slug == slug
    return str(caught.value)


def test_a_voided_termination_is_restored_with_back_pay_from_the_month_after_the_death() -> None:
    result = check(restoration())
    assert (result.months, result.municipal) == (2, False)
    assert result.back_paid == ("2026-10", "2026-11")


@pytest.mark.parametrize(("on", "municipal"), [(date(2027, 9, 3), False), (date(2027, 9, 4), True)])
def test_the_year_runs_from_the_day_the_termination_took_effect(on: date, municipal: bool) -> None:
    assert check(restoration(), on=on).municipal is municipal


def test_without_the_void_a_termination_is_never_restored() -> None:
    refused("restoration-not-suspended", restoration(), voided=None)


def test_a_roster_still_active_is_restored_like_the_proposal_a_suspended_one_if_nothing_else(
) -> None:  # fmt: skip
    r = restoration()
    assert check(r, roster(r, status="active")).back_paid == check(r).back_paid
    suspended = roster(r, status="suspended", suspended_since="2026-09-03")
    refused("restoration-other-suspension", r, suspended)  # other causes not looked up
    assert check(r, suspended, others=OtherCauses()).back_paid == check(r).back_paid
    with pytest.raises(Refusal) as caught:
        check_restoration(r, None, on=NOW.date(), terminated_by=TERMINATED, voided=VOIDED)
    assert caught.value.slug == "restoration-no-roster"


def test_the_request_states_the_day_the_termination_took_effect() -> None:
    refused("restoration-period-invalid", restoration(suspended_since="2026-09-01"))


def test_the_month_of_the_death_is_back_pay_only_if_the_roster_never_paid_it() -> None:
    r = restoration(back_pay_from="2026-09-01", back_pay_amount="714.00")
    refused("restoration-period-invalid", r)  # paid through 2026-09: paid already
    assert check(r, roster(r, paid_through="2026-08")).back_paid == (
        "2026-09", "2026-10", "2026-11",
    )  # fmt: skip
    refused("restoration-period-invalid", restoration(back_pay_from="2026-08-01"))


def test_no_month_the_roster_paid_is_paid_again() -> None:
    r = restoration()
    refused("restoration-period-invalid", r, roster(r, paid_through="2026-10"))


def test_a_month_recovered_as_overpayment_is_not_back_pay_too() -> None:
    # even a roster that no longer shows 2026-10 as paid: the overpayment settles it
    voided = VoidedTermination("task-cmp", date(2026, 9, 3), frozenset({"2026-10"}))
    text = refused("restoration-period-invalid", restoration(), voided=voided)
    assert "2026-10..2026-10" in text


def test_the_amount_and_the_account_are_checked_as_for_a_suspension() -> None:
    refused("restoration-amount-mismatch", restoration(back_pay_amount="714.00"))
    refused("restoration-amount-mismatch", restoration(monthly_amount="250.00"))
    refused("bank-account-mismatch", restoration(bank_account="6222021234567899999"))


# The hub's own proposal (issue 17): what approving it back-pays on a day, by fixed vectors.
# The false death 2026-09-03, approved on 2026-12-06: regular pay resumes 2026-12-01.
DECIDED = date(2026, 12, 6)


def proposed(on: date = DECIDED, voided: VoidedTermination = VOIDED, **changes: Any) -> Any:
    return propose_restoration(voided, roster(restoration(), **changes), on=on)


def test_a_proposal_back_pays_the_months_after_the_death_and_after_paid_through() -> None:
    plan = proposed()  # terminated, paid through 2026-09 (the month of the death: payable)
    assert plan.back_paid == ("2026-10", "2026-11")
    assert plan.amount == Decimal("476.00")  # 2 × 238.00
    assert plan.restore_from == date(2026, 12, 1)
    assert plan.bank_account_on_file == "6222***********0123"
    # the roster paid before the death's month only: that month (payable) is owed too
    assert proposed(paid_through="2026-08").back_paid == ("2026-09", "2026-10", "2026-11")


@pytest.mark.parametrize(
    ("paid_through", "months"),
    [("2026-10", ("2026-11",)), ("2026-11", ()), ("2026-12", ()), ("2027-01", ())],
)
def test_a_termination_the_province_never_applied_back_pays_only_months_unpaid(
    paid_through: str, months: tuple[str, ...]
) -> None:
    plan = proposed(status="active", paid_through=paid_through)
    assert plan.back_paid == months
    assert plan.amount == Decimal("238.00") * len(months)


def test_months_recovered_as_overpayment_are_refunded_not_back_paid() -> None:
    # 2026-10 was paid, then recovered: the refund returns it; back pay starts after it
    voided = VoidedTermination("task-cmp", date(2026, 9, 3), frozenset({"2026-10"}))
    assert proposed(voided=voided, paid_through="2026-09").back_paid == ("2026-11",)


def test_a_proposal_approved_in_the_month_of_the_death_back_pays_nothing() -> None:
    assert proposed(on=date(2026, 9, 30)).back_paid == ()


@pytest.mark.parametrize(("on", "municipal"), [(date(2027, 9, 3), False), (date(2027, 9, 4), True)])
def test_a_proposal_needs_the_city_after_a_year_from_the_termination(
    on: date, municipal: bool
) -> None:
    assert proposed(on=on).municipal is municipal


def test_a_proposal_needs_a_roster_and_lifts_no_suspension_unlooked_at() -> None:
    with pytest.raises(Refusal) as caught:
        propose_restoration(VOIDED, None, on=NOW.date())
    assert caught.value.slug == "restoration-no-roster"
    with pytest.raises(Refusal) as caught:
        proposed(status="suspended", suspended_since="2026-10-01")  # others not looked up
    assert caught.value.slug == "restoration-other-suspension"
