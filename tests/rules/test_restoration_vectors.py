"""What approving the hub's restoration proposal pays, by vectors written out by hand (issue 17).

Every vector states the death (``effective_from``), the roster's ``paid_through``,
the months recovered as overpayment of the voided termination and the day of the
approval; the expected months and the back pay (238.00 a month, i.e. 23,800 fen)
are written out, not computed by the code's month helpers. The invariant behind
them: each month from the death's to the month before the decision is exactly
one of paid by the roster (and not recovered), recovered (refunded with the
overpayment voided) or back-paid — none twice, none lost.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

import pytest

from certhub.hub.rules.restoration import (
    VoidedTermination,
    check_restoration,
    needs_municipal,
    propose_restoration,
)
from certhub.mocks.population import Population
from certhub.schemas import BenefitRecord, Restoration

PERSON = Population(seed=29).person()


def roster(paid_through: str, status: str = "terminated") -> BenefitRecord:
    return BenefitRecord.model_validate(
        {
            "person": PERSON,
            "status": status,
            "monthly_amount": "238.00",
            "paid_through": paid_through,
            "bank_account_on_file": "6222***********0123",
            "as_of": datetime(2027, 6, 1, tzinfo=UTC),
        }
    )


class Vector(NamedTuple):
    """One case: the facts, the day of the approval, and what it must pay."""

    died: str
    paid_through: str
    recovered: tuple[str, ...]
    on: str
    months: tuple[str, ...]  # back-paid
    fen: int  # back pay
    restore_from: str


VECTORS = [Vector(*v) for v in [
    # death on the 1st / the last day of a month, paid through the death's month
    ("2025-03-01", "2025-03", (), "2025-06-10", ("2025-04", "2025-05"), 47600, "2025-06-01"),
    ("2025-03-31", "2025-03", (), "2025-06-10", ("2025-04", "2025-05"), 47600, "2025-06-01"),
    # paid through a month after the death: those months were recovered, refunded instead
    ("2025-03-15", "2025-05", ("2025-04", "2025-05"), "2025-08-01", ("2025-06", "2025-07"),
     47600, "2025-08-01"),
    # a partial recovery still claims the whole overpaid run: 2025-04 and 2025-05 are refunded
    # (what was recovered of them), never back-paid too
    ("2025-03-15", "2025-05", ("2025-04", "2025-05"), "2025-06-30", (), 0, "2025-06-01"),
    # the roster later rewrote paid_through back: the recovered months are still not back pay
    ("2025-03-15", "2025-03", ("2025-04", "2025-05"), "2025-08-01", ("2025-06", "2025-07"),
     47600, "2025-08-01"),
    # paid through the decision's month or later: nothing to back-pay
    ("2025-03-15", "2025-06", (), "2025-06-10", (), 0, "2025-06-01"),
    ("2025-03-15", "2025-09", (), "2025-06-10", (), 0, "2025-06-01"),
    # decided in the death's month
    ("2025-06-01", "2025-06", (), "2025-06-30", (), 0, "2025-06-01"),
    ("2025-06-30", "2025-05", (), "2025-06-30", (), 0, "2025-06-01"),
    # across the year: death in December, decided in January and in March
    ("2025-12-31", "2025-12", (), "2026-01-05", (), 0, "2026-01-01"),
    ("2025-12-31", "2025-12", (), "2026-03-02", ("2026-01", "2026-02"), 47600, "2026-03-01"),
    ("2025-11-20", "2025-11", (), "2026-02-01", ("2025-12", "2026-01"), 47600, "2026-02-01"),
    ("2025-11-20", "2025-12", ("2025-12",), "2026-02-01", ("2026-01",), 23800, "2026-02-01"),
    # a year and more: twelve months 2025-04..2026-03
    ("2025-03-15", "2025-03", (), "2026-04-01",
     ("2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09",
      "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"), 285600, "2026-04-01"),
    # the roster paid only before the death's month: the death's month was payable and is
    # unpaid, so it is back-paid with the rest (else no one ever pays it)
    ("2025-03-15", "2025-02", (), "2025-06-10", ("2025-03", "2025-04", "2025-05"), 71400,
     "2025-06-01"),
    ("2025-12-31", "2025-11", (), "2026-02-10", ("2025-12", "2026-01"), 47600, "2026-02-01"),
]]  # fmt: skip


@pytest.mark.parametrize("v", VECTORS)
@pytest.mark.parametrize("status", ["terminated", "active"])
def test_the_proposal_back_pays_each_unpaid_month_once(v: Vector, status: str) -> None:
    voided = VoidedTermination("task-v", date.fromisoformat(v.died), frozenset(v.recovered))
    plan = propose_restoration(voided, roster(v.paid_through, status), on=date.fromisoformat(v.on))
    assert plan.back_paid == v.months
    assert plan.amount * 100 == v.fen
    assert plan.restore_from == date.fromisoformat(v.restore_from)
    assert not set(plan.back_paid) & set(v.recovered)  # refunded months are not back pay


@pytest.mark.parametrize("v", [v for v in VECTORS if v.months])
@pytest.mark.parametrize("status", ["terminated", "active"])
def test_a_staff_file_of_exactly_those_months_passes_the_same_checks(
    v: Vector, status: str
) -> None:
    """The staff-filed restoration/v1 of a voided termination agrees with the proposal."""
    last_days = {"02": 28, "04": 30, "06": 30, "09": 30, "11": 30}
    end = v.months[-1]
    fields: dict[str, Any] = {
        "person": PERSON,
        "suspended_since": v.died,
        "restore_from": v.restore_from,
        "back_pay_from": f"{v.months[0]}-01",
        "back_pay_to": f"{end}-{last_days.get(end[5:], 31)}",
        "monthly_amount": "238.00",
        "back_pay_amount": str(Decimal(v.fen) / 100),
        "bank_account_on_file": "6222***********0123",
        "requested_by": {"id": "town-1", "role": "town_staff"},
        "requested_at": datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
    }
    voided = VoidedTermination("task-v", date.fromisoformat(v.died), frozenset(v.recovered))
    checked = check_restoration(
        Restoration.model_validate(fields),
        roster(v.paid_through, status),
        on=date.fromisoformat(v.on),
        terminated_by="death, task task-v",
        voided=voided,
    )
    assert checked.back_paid == v.months


@pytest.mark.parametrize(
    ("died", "on", "municipal"),
    [
        ("2024-03-01", "2025-03-01", False),  # 365 days (no 29 February in between)
        ("2024-03-01", "2025-03-02", True),  # 366
        ("2023-03-01", "2024-02-29", False),  # 365 days across 2024-02-29
        ("2023-03-01", "2024-03-01", True),  # 366: the leap day counts
        ("2025-12-31", "2026-12-31", False),  # 365
        ("2025-12-31", "2027-01-01", True),  # 366, across the new year
    ],
)
def test_the_approver_level_counts_days_from_the_termination(
    died: str, on: str, municipal: bool
) -> None:
    assert needs_municipal(date.fromisoformat(died), date.fromisoformat(on)) is municipal
    voided = VoidedTermination("task-v", date.fromisoformat(died))
    plan = propose_restoration(voided, roster(died[:7]), on=date.fromisoformat(on))
    assert plan.municipal is municipal
