"""Restoring a suspended benefit is high-risk (rule 7): every figure is checked.

* the roster must have the person, suspended since the same date, and the hub must not have
  terminated the benefit itself (a confirmed death is never restored, whatever the roster
  says) — unless that termination is *voided*: every department record it rested on was
  withdrawn by its department and no person's report stands behind it
  (:func:`certhub.hub.rules.comparison.termination_voided`); such a wrongly terminated
  benefit is checked as below, against the hub's own termination instead of a suspension
  (:func:`check_restoration`), and the hub's own proposal to restore it back-pays only the
  months unpaid (:func:`propose_restoration`); a roster the province meanwhile *suspended*
  is restored that way too, but only when nothing but the voided termination can explain
  the suspension (:func:`check_suspension_lift`); whatever the roster says, never over a
  non-certification suspension the hub approved and no certification ended, to a person
  overdue for certification, nor while another verification of the person is open
  (:mod:`certhub.hub.rules.restoration_voided`);
* a restoration of the province's suspension is refused too while a verification of the
  person is open, and over a suspension the hub itself decided on a confirmed
  imprisonment or disappearance that no approved restoration ended — after a sentence
  served, only the months since release (:mod:`certhub.hub.rules.restoration_findings`),
  and over a non-certification suspension it signed that no passed certification ended
  (:func:`check_certified`);
* back pay runs in whole months inside the suspension period (its first month too when it is
  the hub's own imprisonment's or disappearance's, owed: :func:`back_pay_start`), never past
  the month after the check's (arrears: a month to come may yet find the person dead; one
  month ahead, as a suspension begun this month can back-pay no earlier one), after the last
  month the roster paid (a month is paid once: regularly or as back pay) and before any month
  an earlier restoration of the same suspension resumed payment in — the hub's roster says
  suspended until the province's next entry, but the province pays from that
  ``restore_from`` on (:func:`check_resumed`);
* the amount is exactly months × the roster's monthly amount;
* the bank account is the one on file, unless the change carries evidence;
* suspended for more than 365 days, counted from the roster's ``suspended_since`` (for a
  voided termination, from the termination's ``effective_from``) to the day of the check
  (the request, and again each decision) → municipal approval. A date the requester writes
  (``restore_from``) never shortens it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from certhub.hub.rules.months import (
    last_day_of_month,
    month_index,
    month_label,
    months_in,
    parse_month,
)
from certhub.hub.rules.restoration_findings import (
    HubFindings,
    HubSuspension,
    back_pay_start,
    check_hub_suspensions,
    check_open_verification,
)
from certhub.hub.rules.restoration_voided import (
    OtherCauses,
    VoidedTermination,
    check_findings,
    check_not_certified,
    check_not_overdue,
    check_open_tasks,
    check_suspension_lift,
    check_voided_lift,
)
from certhub.schemas import BenefitRecord, BenefitStatus, Refusal, Restoration, SuspensionReason

__all__ = [
    "MUNICIPAL_AFTER_DAYS",
    "NOTHING_FOUND",
    "HubFindings",
    "OtherCauses",
    "ProposedRestoration",
    "RestorationCheck",
    "VoidedTermination",
    "account_matches",
    "check_certified",
    "check_findings",
    "check_not_certified",
    "check_open_tasks",
    "check_restoration",
    "check_resumed",
    "check_suspension_lift",
    "needs_municipal",
    "propose_restoration",
]

MUNICIPAL_AFTER_DAYS: Final = 365
NOTHING_FOUND: Final = HubFindings()


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
    voided: VoidedTermination | None = None,
    others: OtherCauses | None = None,
    resumed: Collection[str] = (),
    resumed_after_roster: Collection[str] = (),
    hub: HubFindings = NOTHING_FOUND,
    paid: Collection[str] = (),
) -> RestorationCheck:
    """Check ``restoration`` against the roster as it is ``on`` that day; raise a Refusal.

    ``terminated_by`` names the hub's own termination of this benefit, if any; ``voided``
    is that termination when its departments withdrew all it rested on; ``others`` what
    else could explain a suspension the roster shows (see :func:`check_suspension_lift`);
    ``resumed`` the months (``YYYY-MM``) in which the person's other restorations not
    rejected resume payment (:func:`check_resumed`), ``resumed_after_roster`` those of them
    recorded after the hub's roster entry; ``hub`` what the hub found of the person beyond
    the roster, checked when the restoration is of the province's suspension (a voided
    termination's own checks cover it), and ``paid`` the months claimed paid besides
    ``paid_through`` (:func:`back_pay_start`); the intake reads both (``recheck_restoration``).
    """
    if terminated_by is not None and voided is None:
        raise Refusal(
            "restoration-not-suspended",
            f"the hub terminated this benefit ({terminated_by}); it is never restored",
        )
    if roster is None:
        raise Refusal(
            "restoration-no-roster",
            "the person has no roster entry; only a suspended benefit on the roster is restored",
        )
    if voided is not None:
        stopped = _check_against_termination(restoration, roster, voided, others, on=on)
        # The event month was payable (the disposal recovered only the months after it):
        # back pay may include it only if the roster never paid it (checked below).
        first = stopped.replace(day=1)
    else:
        stopped = _check_against_roster(restoration, roster)
        check_open_verification(hub.open_tasks, "the suspension is not lifted")
        check_certified(hub.suspensions)
        found = [s for s in hub.suspensions if s.reason is not SuspensionReason.not_certified]
        check_hub_suspensions(restoration, found, on=on)
        first = back_pay_start(
            stopped, roster, hub, paid, resumed=resumed, after_roster=resumed_after_roster
        )
    start, end = restoration.back_pay_from, restoration.back_pay_to
    if start < first or end >= restoration.restore_from:
        raise Refusal(
            "restoration-period-invalid",
            f"back pay must lie from {first.isoformat()} (the benefit stopped "
            f"{stopped.isoformat()}) to before restore_from",
        )
    if start.day != 1 or end != last_day_of_month(end):
        raise Refusal("restoration-period-invalid", "back pay runs in whole calendar months")
    if month_index(end) > month_index(on) + 1:
        # Back pay is arrears: a month to come is paid when it comes, if owed then. The
        # month after the check's is the one exception: a restoration back-pays one month
        # at least, so a suspension begun this month back-pays next month.
        raise Refusal(
            "restoration-period-invalid",
            f"back pay ends by {month_label(month_index(on) + 1)} at the latest: "
            "a later month is not due yet",
        )
    if month_index(start) <= month_index(parse_month(roster.paid_through)):
        raise Refusal(
            "restoration-period-invalid",
            f"the roster paid through {roster.paid_through}; back pay starts after it",
        )
    check_resumed(stopped, end, resumed, resumed_after_roster)
    back_paid = months_in(start, end)
    recovered = voided.recovered if voided is not None else hub.recovered
    if taken := sorted(set(back_paid) & set(recovered)):
        # Money safety (issue 13: a month is paid at most once). A month recovered as an
        # overpayment (after a false death, in prison, missing) was paid by the roster; the
        # approval voids or cuts it and refunds what was recovered, never back pay too. The roster's
        # paid_through already covers such months; this holds even if a later roster
        # rewrote paid_through.
        raise Refusal(
            "restoration-period-invalid",
            f"{taken[0]}..{taken[-1]} were recovered as overpayment (paid); "
            "the approval refunds what was recovered of them, they are not back pay too",
        )
    months = month_index(end) - month_index(start) + 1
    expected = Decimal(roster.monthly_amount) * months
    if Decimal(restoration.back_pay_amount) != expected:
        raise Refusal(
            "restoration-amount-mismatch",
            f"{months} months × {roster.monthly_amount} = {expected}, "
            f"not {restoration.back_pay_amount}",
        )
    account = restoration.bank_account  # None: the account on file, unchanged
    same_account = account is None or account_matches(account, roster.bank_account_on_file)
    if not same_account and restoration.account_change_evidence is None:
        raise Refusal(
            "bank-account-mismatch",
            "the account differs from the one on file; a change needs its own evidence",
        )
    return RestorationCheck(
        months=months, municipal=needs_municipal(stopped, on), back_paid=back_paid
    )


def check_resumed(
    stopped: date,
    back_pay_to: date,
    resumed: Collection[str],
    after_roster: Collection[str] = (),
) -> None:
    """Refuse back pay of a month the province pays again after an earlier restoration.

    Decided here (issue 13: a month is paid at most once): a restoration not rejected
    tells the province to resume payment in its ``restore_from``'s month (``resumed``),
    while the hub's copy of the roster keeps saying suspended until the province's next
    entry. A suspension that began before such a month (``stopped``) is the one that
    restoration ended, or an earlier one: back pay must end before that month — from it
    on the province pays regularly. So is one begun *in* that month when the hub's roster
    entry showing it came before the resumption (the month in ``after_roster``): a proposal
    approved on the 20th resumes payment from the 1st. Any other is a new one.
    Raises ``months-already-counted``.
    """
    for month in sorted(resumed):
        start = parse_month(month)
        same = month_index(stopped) == month_index(start) and month in after_roster
        if (stopped < start or same) and start <= back_pay_to:
            raise Refusal(
                "months-already-counted",
                f"another restoration resumed payment in {month} of the suspension since "
                f"{stopped.isoformat()}: from {month} on the province pays regularly, "
                "never back pay too",
            )


@dataclass(frozen=True, slots=True)
class ProposedRestoration:
    """What approving the hub's proposal restores on a day: the months unpaid, the level."""

    restore_from: date  # the first day of the decision's month: regular payment resumes
    back_paid: tuple[str, ...]  # YYYY-MM, possibly none
    monthly_amount: Decimal
    bank_account_on_file: str  # paid there: the proposal carries no new account
    municipal: bool

    @property
    def amount(self) -> Decimal:
        """Back pay: months × the roster's monthly amount."""
        return self.monthly_amount * len(self.back_paid)


def propose_restoration(
    voided: VoidedTermination,
    roster: BenefitRecord | None,
    *,
    on: date,
    others: OtherCauses | None = None,
) -> ProposedRestoration:
    """What restoring the voided termination pays back on ``on``; a Refusal if it cannot be.

    Decided here (issue 17): the roster may say ``terminated`` (the province applied the
    hub's termination) or still ``active`` (it had not yet): either way the hub's closure
    is lifted, and back pay covers only the months actually unpaid — from the event's
    month (it was payable: owed when the roster never paid it), after ``paid_through``,
    after any month recovered as overpayment (those were paid; what was recovered of them
    is refunded instead, with the overpayment voided), up to the month before ``on``'s
    (paid regularly from then on). A roster paid through this month leaves no month to
    back-pay. A roster saying ``suspended`` is restored the same way (the province applied
    the termination as a suspension: its months are owed) when nothing else explains the
    suspension (:func:`check_suspension_lift`, ``others``); a suspension for another cause
    is refused — it is not the hub's to lift, and months inside it are not owed.
    """
    check_voided_lift(voided)  # whatever the roster says
    if roster is None:
        raise Refusal(
            "restoration-no-roster", "the person has no roster entry; nothing to restore yet"
        )
    if roster.status is BenefitStatus.suspended:
        check_suspension_lift(voided, roster, others, on=on)
    check_not_overdue(others, on=on)  # whatever the roster says: not proved alive since
    # The event's month was payable: owed too when the roster never paid it (paid_through
    # before it), else no one would — the termination that stopped it is withdrawn.
    paid = [month_index(parse_month(roster.paid_through))]
    paid += [month_index(parse_month(m)) for m in voided.recovered]
    first = voided.unpaid_from(max(month_index(voided.effective_from), max(paid) + 1))
    months = tuple(month_label(i) for i in range(first, month_index(on)))
    return ProposedRestoration(
        restore_from=on.replace(day=1),
        back_paid=months,
        monthly_amount=Decimal(roster.monthly_amount),
        bank_account_on_file=roster.bank_account_on_file,
        municipal=needs_municipal(voided.effective_from, on),
    )


def check_certified(suspensions: Collection[HubSuspension]) -> None:
    """Refuse restoring the province's suspension over a non-certification suspension the
    hub signed that no passed certification has ended.

    Decided here (rule 7, money safety): the person was suspended for not proving to be
    alive; a restoration filed before they certify — of that suspension or another —
    would back-pay and resume payment to someone who may be dead. A passed certification
    moves the register's due month on and ends it. Raises ``restoration-other-suspension``
    (as :func:`check_not_certified` for a voided termination).
    """
    for found in suspensions:
        if found.reason is SuspensionReason.not_certified:
            raise Refusal(
                "restoration-other-suspension",
                f"the person is suspended for non-certification ({found.task}) with no "
                "passed certification since: a passed certification ends it",
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
    _check_money_on_file(restoration, roster)
    return roster.suspended_since


def _check_against_termination(
    restoration: Restoration,
    roster: BenefitRecord,
    voided: VoidedTermination,
    others: OtherCauses | None,
    *,
    on: date,
) -> date:
    """The day a wrongly terminated benefit stopped, once the request agrees with the facts.

    Field mapping, decided here: the province applies the hub's termination, so its
    roster says ``terminated`` — and a terminated record carries no
    ``suspended_since`` (the schema allows it only when suspended). The day the
    benefit stopped is therefore the hub's own termination's ``effective_from``, and
    the request states it in ``suspended_since``. A roster still saying active has
    not applied the termination yet: the request is checked exactly as the hub's own
    proposal is (:func:`propose_restoration`) — it lifts the closure and back-pays
    only the months after ``paid_through`` and before ``on``'s — so a proposal people
    rejected by mistake can still be put right by staff. A roster saying suspended is
    lifted the same way only when nothing but the voided termination explains the
    suspension (:func:`check_suspension_lift`); the request still states the
    termination's ``effective_from``, and back pay starts with its month at the
    earliest. A finding confirmed while the termination stood, another verification still
    open (:func:`check_voided_lift`) and a person overdue for certification
    (:func:`check_not_overdue`) are refused.
    """
    check_voided_lift(voided)  # whatever the roster says
    if roster.status is BenefitStatus.suspended:
        check_suspension_lift(voided, roster, others, on=on)
    check_not_overdue(others, on=on)  # whatever the roster says: not proved alive since
    if roster.status is BenefitStatus.active and restoration.back_pay_to >= on.replace(day=1):
        raise Refusal(  # issue 13: the province pays this month on; back pay would pay twice
            "restoration-period-invalid", f"the roster is active: back pay ends before {on:%Y-%m}"
        )
    if restoration.suspended_since != voided.effective_from:
        raise Refusal(
            "restoration-period-invalid",
            f"suspended_since must be the day the termination took effect "
            f"({voided.effective_from.isoformat()})",
        )
    _check_money_on_file(restoration, roster)
    return voided.effective_from


def _check_money_on_file(restoration: Restoration, roster: BenefitRecord) -> None:
    """The monthly amount and the account on file are the roster's."""
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
