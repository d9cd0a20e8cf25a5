"""No payment is restored over a finding confirmed while a voided termination stood (rule 7).

Fixed vectors, worked out by hand: a false death on 2027-03-10, terminated by task
``task-cmp`` and now voided; the roster paid through 2027-03, 238.00 a month. Decided
on 2028-03-09 with nothing confirmed meanwhile, the months unpaid are 2027-04 …
2028-02 (11 × 238.00 = 2,618.00). An imprisonment (task ``task-jail``) confirmed
meanwhile refuses the proposal and staff's restoration alike, whatever the roster says.
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

ON = date(2028, 3, 9)
NOW = datetime(2028, 3, 9, 2, 0, tzinfo=UTC)
CLEAN = VoidedTermination("task-cmp", date(2027, 3, 10))
JAILED = VoidedTermination("task-cmp", date(2027, 3, 10), findings=("imprisonment task-jail",))
FILED = restoration_of(
    NOW,
    suspended_since="2027-03-10",
    restore_from="2028-03-01",
    back_pay_from="2027-04-01",
    back_pay_to="2028-02-29",
    back_pay_amount="2618.00",
)
ROSTERS = {
    "terminated": {"status": "terminated", "paid_through": "2027-03"},
    "active": {"status": "active", "paid_through": "2027-03"},
    "suspended": {
        "status": "suspended",
        "suspended_since": "2027-04-01",
        "paid_through": "2027-03",
    },
}


@pytest.mark.parametrize("status", sorted(ROSTERS))
def test_a_finding_confirmed_meanwhile_refuses_the_restoration(status: str) -> None:
    roster = roster_of(FILED, NOW, **ROSTERS[status])
    plan = propose_restoration(CLEAN, roster, on=ON, others=OtherCauses())
    assert (len(plan.back_paid), plan.amount) == (11, Decimal("2618.00"))

    def staff(voided: VoidedTermination) -> RestorationCheck:
        return check_restoration(
            FILED, roster, on=ON, terminated_by="death, task task-cmp", voided=voided,
            others=OtherCauses(),
        )  # fmt: skip

    assert staff(CLEAN).months == 11
    for refusal in (
        lambda: propose_restoration(JAILED, roster, on=ON, others=OtherCauses()),
        lambda: staff(JAILED),
    ):
        with pytest.raises(Refusal) as caught:
            refusal()
        assert caught.value.slug == "restoration-finding-confirmed"
        assert "imprisonment task-jail" in caught.value.detail


def test_no_roster_still_names_the_finding_first() -> None:
    with pytest.raises(Refusal) as caught:
        propose_restoration(JAILED, None, on=ON)
    assert caught.value.slug == "restoration-finding-confirmed"
