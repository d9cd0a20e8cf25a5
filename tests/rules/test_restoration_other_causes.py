"""No payment is restored while another cause the hub knows of stands (rule 7).

Each case: a false death, terminated by task ``task-cmp`` and now voided; the roster paid
through the death's month, 238.00 a month. With the other cause settled, the proposal and
staff's restoration back-pay the months unpaid; with it standing, both are refused with the
cause's problem naming it, whatever the roster says (terminated, active, or suspended from
the first month unpaid — ``terminated`` and ``active`` show no suspension at all), and so
is a proposal with no roster. Fixed vectors, worked out by hand:

- finding: death on 2027-03-10, decided on 2028-03-09, the months unpaid 2027-04 …
  2028-02 (11 × 238.00 = 2,618.00). An imprisonment (task ``task-jail``) confirmed
  meanwhile: ``restoration-finding-confirmed``.
- open verification: death on 2026-11-30, decided on 2027-02-01, the months unpaid
  2026-12 and 2027-01 (2 × 238.00 = 476.00, across the year's end); on 2027-01-31, the
  day before, only 2026-12 (238.00). A second death report (task ``task-death2``) still
  under verification — the person may really be dead: ``restoration-verification-open``.
- not certified: the county approved suspending the person for not certifying (proposal
  41, cycle due 2026-05); then death on 2026-07-14, decided on 2026-12-06, the months
  unpaid 2026-08 … 2026-11 (4 × 238.00 = 952.00). That suspension standing (no passed
  certification since): ``restoration-other-suspension``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest

from certhub.hub.rules.restoration import (
    OtherCauses,
    RestorationCheck,
    VoidedTermination,
    check_restoration,
    propose_restoration,
)
from certhub.schemas import BenefitRecord, Refusal, Restoration

from .conftest import restoration_of, roster_of  # type: ignore[import-not-found]


@dataclass(frozen=True)
class Cause:
    """A voided termination (death on ``died``) decided on ``on``, and the other cause.

    ``standing`` is the :class:`VoidedTermination` field naming the cause (``named``),
    refused with ``slug``; ``filed`` is staff's request (restore_from, back_pay_from,
    back_pay_to, back_pay_amount); ``unpaid`` the months back-paid once it is settled.
    """

    died: date
    on: date
    paid_through: str
    standing: dict[str, Any]
    named: str
    slug: str
    filed: tuple[str, str, str, str]
    unpaid: tuple[str, ...]

    @property
    def now(self) -> datetime:
        """02:00 UTC on the day decided (10:00 in China: the same day)."""
        return datetime.combine(self.on, time(2), tzinfo=UTC)

    def voided(self, standing: bool) -> VoidedTermination:
        """The voided termination, with the other cause ``standing`` or settled."""
        return VoidedTermination("task-cmp", self.died, **(self.standing if standing else {}))

    def restoration(self) -> Restoration:
        """Staff's restoration of the voided termination."""
        restore_from, back_pay_from, back_pay_to, amount = self.filed
        filed: Restoration = restoration_of(
            self.now, suspended_since=self.died.isoformat(), restore_from=restore_from,
            back_pay_from=back_pay_from, back_pay_to=back_pay_to, back_pay_amount=amount,
        )  # fmt: skip
        return filed

    def roster(self, status: str) -> BenefitRecord:
        """The province's entry: ``status`` (suspended: from the first month unpaid), paid
        through the death's month."""
        since = {"suspended_since": self.filed[1]} if status == "suspended" else {}
        entry: BenefitRecord = roster_of(
            self.restoration(), self.now, status=status, paid_through=self.paid_through, **since
        )
        return entry

    def staff(self, status: str, standing: bool) -> RestorationCheck:
        """Staff's restoration checked on the day decided."""
        return check_restoration(
            self.restoration(), self.roster(status), on=self.on,
            terminated_by="death, task task-cmp", voided=self.voided(standing),
            others=OtherCauses(),
        )  # fmt: skip

    def refused(self, call: Callable[[], object]) -> None:
        """``call()`` is refused with this cause's problem, naming it."""
        with pytest.raises(Refusal) as caught:
            call()
        assert caught.value.slug == self.slug
        assert self.named in caught.value.detail


FINDING = Cause(
    died=date(2027, 3, 10), on=date(2028, 3, 9), paid_through="2027-03",
    standing={"findings": ("imprisonment task-jail",)}, named="imprisonment task-jail",
    slug="restoration-finding-confirmed",
    filed=("2028-03-01", "2027-04-01", "2028-02-29", "2618.00"),  # 11 × 238.00
    unpaid=("2027-04", "2027-05", "2027-06", "2027-07", "2027-08", "2027-09", "2027-10",
            "2027-11", "2027-12", "2028-01", "2028-02"),
)  # fmt: skip
OPEN = Cause(
    died=date(2026, 11, 30), on=date(2027, 2, 1), paid_through="2026-11",
    standing={"open_tasks": ("death task-death2",)}, named="death task-death2",
    slug="restoration-verification-open",
    filed=("2027-02-01", "2026-12-01", "2027-01-31", "476.00"),  # 2 × 238.00
    unpaid=("2026-12", "2027-01"),
)  # fmt: skip
NOT_CERTIFIED = Cause(
    died=date(2026, 7, 14), on=date(2026, 12, 6), paid_through="2026-07",
    standing={"not_certified": "proposal 41, due 2026-05"}, named="proposal 41, due 2026-05",
    slug="restoration-other-suspension",
    filed=("2026-12-01", "2026-08-01", "2026-11-30", "952.00"),  # 4 × 238.00
    unpaid=("2026-08", "2026-09", "2026-10", "2026-11"),
)  # fmt: skip
CAUSES = {"finding": FINDING, "open verification": OPEN, "not certified": NOT_CERTIFIED}
STATUSES = ("active", "suspended", "terminated")


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("name", sorted(CAUSES))
def test_settled_the_months_unpaid_are_restored(name: str, status: str) -> None:
    cause = CAUSES[name]
    restore_from, _, _, amount = cause.filed
    plan = propose_restoration(
        cause.voided(False), cause.roster(status), on=cause.on, others=OtherCauses()
    )
    assert plan.back_paid == cause.unpaid
    assert (plan.amount, plan.restore_from) == (Decimal(amount), date.fromisoformat(restore_from))
    check = cause.staff(status, standing=False)
    assert (check.months, check.back_paid) == (len(cause.unpaid), cause.unpaid)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("name", sorted(CAUSES))
def test_standing_it_refuses_the_restoration_whatever_the_roster(name: str, status: str) -> None:
    cause = CAUSES[name]
    roster = cause.roster(status)
    cause.refused(
        lambda: propose_restoration(cause.voided(True), roster, on=cause.on, others=OtherCauses())
    )
    cause.refused(lambda: cause.staff(status, standing=True))


@pytest.mark.parametrize("name", sorted(CAUSES))
def test_no_roster_still_names_the_cause(name: str) -> None:
    cause = CAUSES[name]
    cause.refused(lambda: propose_restoration(cause.voided(True), None, on=cause.on))


@pytest.mark.parametrize("status", STATUSES)
def test_the_day_before_only_the_first_month_is_owed_the_open_task_still_refuses(
    status: str,
) -> None:
    eve, roster = date(2027, 1, 31), OPEN.roster(status)
    plan = propose_restoration(OPEN.voided(False), roster, on=eve, others=OtherCauses())
    assert (plan.back_paid, plan.amount) == (("2026-12",), Decimal("238.00"))
    OPEN.refused(lambda: propose_restoration(OPEN.voided(True), roster, on=eve))
