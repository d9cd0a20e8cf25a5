"""Restoring a suspended benefit is high-risk (rule 7): every figure is checked.

* the roster must have the person, suspended since the same date, and the hub
  must not have terminated the benefit itself (a confirmed death is never
  restored, whatever the roster says);
* back pay runs in whole months inside the suspension period, after the last
  month the roster paid (a month is paid once: regularly or as back pay);
* the amount is exactly months × monthly amount (and the monthly amount is
  the roster's);
* the bank account is the one on file, unless the change carries evidence;
* suspended for more than 365 days, counted from the roster's
  ``suspended_since`` to the day of the check (the request, and again each
  decision) → municipal approval. A date the requester writes (``restore_from``)
  never shortens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from certhub.hub.rules.months import last_day_of_month, month_index, months_in, parse_month
from certhub.schemas import BenefitRecord, BenefitStatus, Refusal, Restoration

MUNICIPAL_AFTER_DAYS: Final = 365


@dataclass(frozen=True, slots=True)
class RestorationCheck:
    """The outcome of the checks: the back-paid months and whether municipal approval is needed."""

    months: int
    municipal: bool
    back_paid: tuple[str, ...] = ()  # YYYY-MM, each paid once (a ledger constraint)


def check_restoration(
    restoration: Restoration,
    roster: BenefitRecord | None,
    *,
    on: date,
    terminated_by: str | None = None,
) -> RestorationCheck:
    """Check ``restoration`` against the roster as it is ``on`` that day; raise a Refusal.

    ``terminated_by`` names the hub's own termination of this benefit, if any.
    """
    if terminated_by is not None:
        raise Refusal(
            "restoration-not-suspended",
            f"the hub terminated this benefit ({terminated_by}); it is never restored",
        )
    if roster is None:
        raise Refusal(
            "restoration-no-roster",
            "the person has no roster entry; only a suspended benefit on the roster is restored",
        )
    suspended_since = _check_against_roster(restoration, roster)
    start, end = restoration.back_pay_from, restoration.back_pay_to
    if start < suspended_since or end >= restoration.restore_from:
        raise Refusal(
            "restoration-period-invalid",
            "back pay must lie inside the suspension (from its start, before restore_from)",
        )
    if start.day != 1 or end != last_day_of_month(end):
        raise Refusal("restoration-period-invalid", "back pay runs in whole calendar months")
    if month_index(start) <= month_index(parse_month(roster.paid_through)):
        raise Refusal(
            "restoration-period-invalid",
            f"the roster paid through {roster.paid_through}; back pay starts after it",
        )
    months = month_index(end) - month_index(start) + 1
    expected = Decimal(roster.monthly_amount) * months
    if Decimal(restoration.back_pay_amount) != expected:
        raise Refusal(
            "restoration-amount-mismatch",
            f"{months} months × {roster.monthly_amount} = {expected}, "
            f"not {restoration.back_pay_amount}",
        )
    same_account = account_matches(restoration.bank_account, roster.bank_account_on_file)
    if not same_account and restoration.account_change_evidence is None:
        raise Refusal(
            "bank-account-mismatch",
            "the account differs from the one on file; a change needs its own evidence",
        )
    return RestorationCheck(
        months=months,
        municipal=needs_municipal(suspended_since, on),
        back_paid=months_in(start, end),
    )


def needs_municipal(suspended_since: date, on: date) -> bool:
    """Suspended more than 365 days on ``on`` (day 365 is still county level)."""
    return (on - suspended_since).days > MUNICIPAL_AFTER_DAYS


def _check_against_roster(restoration: Restoration, roster: BenefitRecord) -> date:
    """The roster's suspension start, once the request agrees with the roster."""
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
    return roster.suspended_since


def account_matches(account: str, on_file: str) -> bool:
    """Whether ``account`` fits the masked account on file digit by digit."""
    if len(account) != len(on_file):
        return False
    return all(mask in ("*", digit) for digit, mask in zip(account, on_file, strict=True))
