"""Restoration checks (rule 7) and monthly compliance (rule 5)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from certhub.hub.rules.compliance import (
    ComplianceStatus,
    ReportingUnit,
    check_period,
    compliance,
    deadline,
)
from certhub.hub.rules.restoration import account_matches, check_restoration
from certhub.schemas import BenefitRecord, Refusal, Restoration

from .conftest import restoration_of, roster_of  # type: ignore[import-not-found]

NOW = datetime(2024, 7, 10, 9, 0, tzinfo=UTC)


RESTORED = {
    "suspended_since": "2024-01-01",
    "restore_from": "2024-05-01",
    "back_pay_from": "2024-01-01",
    "back_pay_to": "2024-04-30",
    "back_pay_amount": "952.00",
}
SUSPENDED = {"status": "suspended", "paid_through": "2023-12", "suspended_since": "2024-01-01"}


def restoration(**changes: Any) -> Restoration:
    return restoration_of(NOW, **(RESTORED | changes))


def roster(r: Restoration, **changes: Any) -> BenefitRecord:
    return roster_of(r, NOW, **(SUSPENDED | changes))


TODAY = NOW.date()


def refused(slug: str, r: Restoration, record: BenefitRecord | None = None, **kw: Any) -> None:
    with pytest.raises(Refusal) as caught:
        check_restoration(r, record or roster(r), on=TODAY, **kw)
    assert caught.value.slug == slug, caught.value.detail


def test_a_sound_restoration_passes() -> None:
    r = restoration()
    check = check_restoration(r, roster(r), on=TODAY)
    assert (check.months, check.municipal) == (4, False)
    assert check.back_paid == ("2024-01", "2024-02", "2024-03", "2024-04")


def test_more_than_a_year_suspended_needs_municipal_approval() -> None:
    r = restoration(
        suspended_since="2023-01-01", back_pay_from="2023-01-01", back_pay_amount="3808.00"
    )
    record = roster(r, suspended_since="2023-01-01", paid_through="2022-12")
    assert check_restoration(r, record, on=TODAY).municipal is True


@pytest.mark.parametrize(("days", "municipal"), [(364, False), (365, False), (366, True)])
def test_the_year_is_counted_from_the_rosters_suspension_to_the_day_of_the_check(
    days: int, municipal: bool
) -> None:
    r = restoration()  # suspended 2024-01-01; restore_from 2024-05-01 looks like 4 months
    on = date(2024, 1, 1) + timedelta(days=days)
    assert check_restoration(r, roster(r), on=on).municipal is municipal


def test_a_person_without_a_roster_entry_or_terminated_by_the_hub_is_not_restored() -> None:
    r = restoration()
    with pytest.raises(Refusal) as caught:
        check_restoration(r, None, on=TODAY)
    assert caught.value.slug == "restoration-no-roster"
    refused("restoration-not-suspended", r, terminated_by="death, task task-7")


def test_back_pay_for_months_the_roster_paid_is_refused() -> None:
    r = restoration()
    refused("restoration-period-invalid", r, roster(r, paid_through="2024-01"))


@pytest.mark.parametrize("amount", ["714.00", "1190.00", "952.01"])
def test_amounts_off_by_a_month_or_a_cent_are_refused(amount: str) -> None:
    refused("restoration-amount-mismatch", restoration(back_pay_amount=amount))


def test_back_pay_outside_the_suspension_is_refused() -> None:
    refused(
        "restoration-period-invalid",
        restoration(back_pay_from="2023-12-01", back_pay_amount="1190.00"),
    )
    refused(
        "restoration-period-invalid",
        restoration(back_pay_to="2024-05-31", back_pay_amount="1190.00"),
    )
    refused("restoration-period-invalid", restoration(back_pay_to="2024-04-15"))


def test_another_account_needs_its_own_evidence() -> None:
    refused("bank-account-mismatch", restoration(bank_account="6222029999999999999"))
    evidence = {"sha256": "a" * 64, "kind": "other", "media_type": "application/pdf"}
    other = restoration(bank_account="6222029999999999999", account_change_evidence=evidence)
    assert check_restoration(other, roster(other), on=TODAY).months == 4


def test_the_roster_must_agree() -> None:
    r = restoration()
    refused("restoration-not-suspended", r, roster(r, status="active", suspended_since=None))
    refused("restoration-period-invalid", r, roster(r, suspended_since="2023-12-01"))
    refused("restoration-amount-mismatch", r, roster(r, monthly_amount="240.00"))


def test_account_matching_respects_the_mask() -> None:
    assert account_matches("6222021234567890123", "6222***********0123")
    assert not account_matches("6222021234567890124", "6222***********0123")
    assert not account_matches("622202123456789012", "6222***********0123")


def test_compliance_statuses_and_lateness() -> None:
    units = [
        ReportingUnit("440103001001", "A村"),
        ReportingUnit("440103001002", "B村"),
        ReportingUnit("440103001003", "C村"),
        ReportingUnit("440104", "越秀区"),
    ]
    due = deadline("2024-06", 5)
    assert due.date() == date(2024, 7, 5)
    rows = compliance(
        units,
        reported={"440103001001"},
        zero_reported={"440103001002": due - timedelta(days=1), "440104": due + timedelta(hours=1)},
        due=due,
        now=NOW,
    )
    assert [(r.status, r.late, r.overdue) for r in rows] == [
        (ComplianceStatus.REPORTED, False, False),
        (ComplianceStatus.ZERO_REPORTED, False, False),
        (ComplianceStatus.MISSING, False, True),
        (ComplianceStatus.ZERO_REPORTED, True, False),
    ]


@pytest.mark.parametrize("period", ["2024-13", "2024-1", "abcd-ef", "2999-01", ""])
def test_bad_periods_are_refused(period: str) -> None:
    with pytest.raises(Refusal):
        check_period(period, date(2024, 7, 10))
    _ = Decimal
