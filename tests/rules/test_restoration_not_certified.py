"""No payment is restored over a non-certification suspension the hub approved (rule 7).

Fixed vectors, worked out by hand: the county approved suspending the person for not
certifying (proposal 41, cycle due 2026-05); then a false death on 2026-07-14, terminated
by task ``task-cmp`` and now voided; the roster paid through 2026-07, 238.00 a month.
Decided on 2026-12-06 with no such suspension, the months unpaid are 2026-08 … 2026-11
(4 × 238.00 = 952.00). With it standing (no passed certification since), the proposal
and staff's restoration are each ``restoration-other-suspension``, whatever the roster
says — ``terminated`` and ``active`` show no suspension at all.
"""

from __future__ import annotations

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
from certhub.schemas import Refusal

from .conftest import restoration_of, roster_of  # type: ignore[import-not-found]

ON = date(2026, 12, 6)
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
CLEAN = VoidedTermination("task-cmp", date(2026, 7, 14))
STANDING = VoidedTermination(
    "task-cmp", date(2026, 7, 14), not_certified="proposal 41, due 2026-05"
)
FILED = restoration_of(
    NOW,
    suspended_since="2026-07-14",
    restore_from="2026-12-01",
    back_pay_from="2026-08-01",
    back_pay_to="2026-11-30",
    back_pay_amount="952.00",
)
ROSTERS = {
    "terminated": {"status": "terminated", "paid_through": "2026-07"},
    "active": {"status": "active", "paid_through": "2026-07"},
    "suspended": {
        "status": "suspended",
        "suspended_since": "2026-08-01",
        "paid_through": "2026-07",
    },
}


def staff(voided: VoidedTermination, status: str) -> RestorationCheck:
    return check_restoration(
        FILED, roster_of(FILED, NOW, **ROSTERS[status]), on=ON,
        terminated_by="death, task task-cmp", voided=voided, others=OtherCauses(),
    )  # fmt: skip


@pytest.mark.parametrize("status", sorted(ROSTERS))
def test_a_standing_non_certification_suspension_refuses_the_restoration(status: str) -> None:
    roster = roster_of(FILED, NOW, **ROSTERS[status])
    plan = propose_restoration(CLEAN, roster, on=ON, others=OtherCauses())
    assert plan.back_paid == ("2026-08", "2026-09", "2026-10", "2026-11")
    assert plan.amount == Decimal("952.00")
    assert plan.restore_from == date(2026, 12, 1)
    assert (staff(CLEAN, status).months, staff(CLEAN, status).back_paid) == (4, plan.back_paid)
    for refusal in (
        lambda: propose_restoration(STANDING, roster, on=ON, others=OtherCauses()),
        lambda: staff(STANDING, status),
    ):
        with pytest.raises(Refusal) as caught:
            refusal()
        assert caught.value.slug == "restoration-other-suspension"
        assert "proposal 41, due 2026-05" in caught.value.detail


def test_no_roster_still_names_the_suspension() -> None:
    with pytest.raises(Refusal) as caught:
        propose_restoration(STANDING, None, on=ON)
    assert caught.value.slug == "restoration-other-suspension"
