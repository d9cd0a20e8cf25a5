"""Restoring a suspended benefit is high-risk (rule 7): every figure is checked.

* the benefit must be suspended (per the roster when the hub has it);
* back pay runs in whole months inside the suspension period;
* the amount is exactly months × monthly amount (and the monthly amount is
  the roster's);
* the bank account is the one on file, unless the change carries evidence;
* suspended for more than a year → municipal approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from hub.workflow.months import last_day_of_month, month_index
from hub.workflow.refusals import Refusal
from schemas import BenefitRecord, BenefitStatus, Restoration

MUNICIPAL_AFTER_DAYS: Final = 365


@dataclass(frozen=True, slots=True)
class RestorationCheck:
    """The outcome of the checks: whether municipal approval is needed."""

    months: int
    municipal: bool


def check_restoration(restoration: Restoration, roster: BenefitRecord | None) -> RestorationCheck:
    """Check ``restoration`` against the roster; raise a Refusal naming the first problem."""
    if roster is not None:
        _check_against_roster(restoration, roster)
    start, end = restoration.back_pay_from, restoration.back_pay_to
    if start < restoration.suspended_since or end >= restoration.restore_from:
        raise Refusal(
            "restoration-period-invalid",
            "back pay must lie inside the suspension (from its start, before restore_from)",
        )
    if start.day != 1 or end != last_day_of_month(end):
        raise Refusal("restoration-period-invalid", "back pay runs in whole calendar months")
    months = month_index(end) - month_index(start) + 1
    expected = Decimal(restoration.monthly_amount) * months
    if Decimal(restoration.back_pay_amount) != expected:
        raise Refusal(
            "restoration-amount-mismatch",
            f"{months} months × {restoration.monthly_amount} = {expected}, "
            f"not {restoration.back_pay_amount}",
        )
    same_account = account_matches(restoration.bank_account, restoration.bank_account_on_file)
    if not same_account and restoration.account_change_evidence is None:
        raise Refusal(
            "bank-account-mismatch",
            "the account differs from the one on file; a change needs its own evidence",
        )
    suspended_days = (restoration.restore_from - restoration.suspended_since).days
    return RestorationCheck(months=months, municipal=suspended_days > MUNICIPAL_AFTER_DAYS)


def _check_against_roster(restoration: Restoration, roster: BenefitRecord) -> None:
    if roster.status is not BenefitStatus.suspended or roster.suspended_since is None:
        raise Refusal(
            "restoration-not-suspended", f"the roster says the benefit is {roster.status}"
        )
    if roster.suspended_since != restoration.suspended_since:
        raise Refusal(
            "restoration-period-invalid",
            f"suspended_since differs from the roster ({roster.suspended_since.isoformat()})",
        )
    if Decimal(roster.monthly_amount) != Decimal(restoration.monthly_amount):
        raise Refusal(
            "restoration-amount-mismatch",
            f"monthly amount differs from the roster ({roster.monthly_amount})",
        )
    if roster.bank_account_on_file != restoration.bank_account_on_file:
        raise Refusal("bank-account-mismatch", "bank_account_on_file differs from the roster")


def account_matches(account: str, on_file: str) -> bool:
    """Whether ``account`` fits the masked account on file digit by digit."""
    if len(account) != len(on_file):
        return False
    return all(mask in ("*", digit) for digit, mask in zip(account, on_file, strict=True))
