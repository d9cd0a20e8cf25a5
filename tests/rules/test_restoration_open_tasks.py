"""No payment is restored while another verification of the person is open (rule 7).

Fixed vectors, worked out by hand: a false death on 2026-11-30, terminated by task
``task-cmp`` and now voided; the roster paid through 2026-11, 238.00 a month. Decided
on 2027-02-01 the months unpaid are 2026-12 and 2027-01 (2 × 238.00 = 476.00, across
the year's end); on 2027-01-31, the day before, only 2026-12 (238.00). A second death
report (task ``task-death2``) still under verification refuses the proposal and staff's
restoration alike with ``restoration-verification-open``, whatever the roster says —
the person may really be dead; settled, the same figures pass.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from certhub.hub.rules.restoration import (
    OtherCauses,
    RestorationCheck,
    VoidedTermination,
    check_restoration,
    propose_restoration,
)
from certhub.schemas import BenefitRecord, Refusal

from .conftest import restoration_of, roster_of  # type: ignore[import-not-found]

ON = date(2027, 2, 1)
NOW = datetime(2027, 2, 1, 2, 0, tzinfo=UTC)
SETTLED = VoidedTermination("task-cmp", date(2026, 11, 30))
OPEN = VoidedTermination("task-cmp", date(2026, 11, 30), open_tasks=("death task-death2",))
FILED = restoration_of(
    NOW,
    suspended_since="2026-11-30",
    restore_from="2027-02-01",
    back_pay_from="2026-12-01",
    back_pay_to="2027-01-31",
    back_pay_amount="476.00",
)
ROSTERS = {
    "terminated": {"status": "terminated", "paid_through": "2026-11"},
    "active": {"status": "active", "paid_through": "2026-11"},
    "suspended": {
        "status": "suspended",
        "suspended_since": "2026-12-01",
        "paid_through": "2026-11",
    },
}


def staff(voided: VoidedTermination, roster: BenefitRecord) -> RestorationCheck:
    """Staff's restoration of 2026-12 … 2027-01 (476.00) checked on 2027-02-01."""
    return check_restoration(
        FILED, roster, on=ON, terminated_by="death, task task-cmp", voided=voided,
        others=OtherCauses(),
    )  # fmt: skip


def refused(call: Callable[[], object]) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call()
    assert caught.value.slug == "restoration-verification-open"
    assert "death task-death2" in caught.value.detail
    return caught.value


@pytest.mark.parametrize("status", sorted(ROSTERS))
def test_an_open_verification_refuses_the_restoration_whatever_the_roster(status: str) -> None:
    roster = roster_of(FILED, NOW, **ROSTERS[status])
    plan = propose_restoration(SETTLED, roster, on=ON, others=OtherCauses())
    assert plan.back_paid == ("2026-12", "2027-01")
    assert (plan.amount, plan.restore_from) == (Decimal("476.00"), date(2027, 2, 1))
    eve = propose_restoration(SETTLED, roster, on=date(2027, 1, 31), others=OtherCauses())
    assert (eve.back_paid, eve.amount) == (("2026-12",), Decimal("238.00"))
    check = staff(SETTLED, roster)
    assert (check.months, check.back_paid) == (2, ("2026-12", "2027-01"))

    refused(lambda: propose_restoration(OPEN, roster, on=ON, others=OtherCauses()))
    refused(lambda: propose_restoration(OPEN, roster, on=date(2027, 1, 31)))
    refused(lambda: staff(OPEN, roster))


def test_no_roster_still_names_the_open_verification() -> None:
    refused(lambda: propose_restoration(OPEN, None, on=ON))
