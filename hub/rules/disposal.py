"""What a confirmed verification task does to the benefit (rule 6), and what was overpaid.

Death, loss of nationality and duplicate receipt terminate the benefit from
the confirmed event date and the family is told to claim the one-time
payments; imprisonment suspends it for the sentence; missing suspends it.
Benefits remain payable for the month of the event; every month paid after
it is an overpayment to recover — once: months an earlier disposal already
recovers are left out (and the ledger refuses a month recovered twice). Paid
are the months up to the roster's ``paid_through`` and the months an approved
restoration back-paid: the hub's copy of the roster says suspended, paid
through the suspension's month, until the province's next entry, but the back
pay the hub signed is paid all the same. A prison sentence that ended before the
confirmation (``suspend_until``) ends the overpaid months with its month: the
benefit is payable again from the month after release.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from certhub.hub.rules.months import (
    consecutive_spans,
    last_day_of_month,
    month_index,
    month_label,
    parse_month,
)
from certhub.hub.rules.notices import Notice, family_termination_notice
from certhub.schemas import (
    SCHEME_START,
    ActorRef,
    BenefitRecord,
    Overpayment,
    Refusal,
    Suspension,
    SuspensionReason,
    TaskDisposal,
    TaskKind,
    Termination,
    VerificationTask,
    birth_date_of,
)


@dataclass(frozen=True, slots=True)
class Disposal:
    """The benefit changes one confirmed task causes."""

    termination: Termination | None = None
    suspension: Suspension | None = None
    overpayments: tuple[Overpayment, ...] = ()  # one per run of months not recovered yet
    notice: Notice | None = None

    @property
    def overpayment(self) -> Overpayment | None:
        """The first (usually the only) overpayment."""
        return self.overpayments[0] if self.overpayments else None

    @property
    def recovered_months(self) -> tuple[str, ...]:
        """Every month the overpayments recover, ``YYYY-MM``."""
        return tuple(
            month_label(i)
            for over in self.overpayments
            for i in range(month_index(over.period_from), month_index(over.period_to) + 1)
        )


def dispose(
    task: VerificationTask,
    *,
    event_date: date,
    suspend_until: date | None,
    roster: BenefitRecord | None,
    decided_by: ActorRef,
    at: datetime,
    recovered: Collection[str] = (),
    back_paid: Collection[str] = (),
) -> Disposal:
    """Terminate or suspend by the task's disposal, with the overpayment if any.

    ``recovered`` lists the months (``YYYY-MM``) already recovered from this person,
    ``back_paid`` those approved restorations back-paid them.

    Raises:
        Refusal: ``task-transition-invalid`` if ``event_date`` is before the
            person's birth date (a death in 1900 of someone born in 1950 would
            recover every month ever paid), or ``suspend_until`` is given for a
            disappearance or is not after an imprisonment's ``event_date``.
    """
    if event_date < birth_date_of(task.person.id_number):
        raise Refusal("task-transition-invalid", "event_date is before the person's birth date")
    _check_sentence_end(task, event_date, suspend_until)
    until = suspend_until if task.disposal is TaskDisposal.suspend else None
    overpayments = overpaid(task, event_date, roster, recovered, back_paid, until=until)
    if task.disposal is TaskDisposal.suspend:
        reason = (
            SuspensionReason.imprisonment
            if task.kind is TaskKind.imprisonment
            else SuspensionReason.missing
        )
        remarks = f"until {suspend_until.isoformat()}" if suspend_until else None
        suspension = Suspension(
            person=task.person,
            reason=reason,
            effective_from=event_date,
            task_id=task.task_id,
            decided_by=decided_by,
            decided_at=at,
            remarks=remarks,
        )
        return Disposal(suspension=suspension, overpayments=overpayments)
    notify = task.kind in (TaskKind.death, TaskKind.loss_of_nationality)
    termination = Termination(
        person=task.person,
        reason=task.kind,
        event_date=event_date,
        effective_from=event_date,
        family_notified=notify,
        task_id=task.task_id,
        decided_by=decided_by,
        decided_at=at,
    )
    notice = family_termination_notice(task, event_date) if notify else None
    return Disposal(termination=termination, overpayments=overpayments, notice=notice)


def _check_sentence_end(task: VerificationTask, event_date: date, until: date | None) -> None:
    """``suspend_until`` ends a prison sentence after the imprisonment, or is absent.

    Decided here (money safety): it ends the overpaid months of a suspension, so a date
    before the event (the event date taken from the reports, which the schema cannot
    compare) would recover nothing and read as a sentence served, and a date on a
    disappearance — which no date ends — would cut the recovery short. A termination
    ignores it (its overpayment runs to ``paid_through`` whatever it says).
    """
    if until is None or task.disposal is not TaskDisposal.suspend:
        return
    if task.kind is not TaskKind.imprisonment:
        raise Refusal(
            "task-transition-invalid",
            f"suspend_until ends a prison sentence; a {task.kind.value} task has none",
        )
    if until <= event_date:
        raise Refusal(
            "task-transition-invalid",
            f"suspend_until {until.isoformat()} is not after the imprisonment "
            f"({event_date.isoformat()})",
        )


def overpaid(
    task: VerificationTask,
    event_date: date,
    roster: BenefitRecord | None,
    recovered: Collection[str] = (),
    back_paid: Collection[str] = (),
    *,
    until: date | None = None,
) -> tuple[Overpayment, ...]:
    """Months paid after the event month — through the roster's ``paid_through``, or
    ``back_paid`` by an approved restoration — and through ``until``'s month if given (a
    sentence's end: payable again from the month after), not recovered yet; one per run.
    Never a month before the scheme began (:data:`~certhub.schemas.SCHEME_START`): the roster
    says up to when a benefit was paid, not since when, and nothing was paid before it."""
    if roster is None:
        return ()
    event = month_index(event_date)
    last = month_index(until) if until is not None else None
    first = max(event + 1, month_index(SCHEME_START))
    paid = set(range(first, month_index(parse_month(roster.paid_through)) + 1))
    paid |= {i for i in map(month_index, map(parse_month, back_paid)) if i > event}
    paid = {i for i in paid if last is None or i <= last}
    due = [i for i in sorted(paid) if month_label(i) not in recovered]
    monthly = Decimal(roster.monthly_amount)
    return tuple(_overpayment(task, first, last, monthly) for first, last in consecutive_spans(due))


def paid_after_sentence(
    event_date: date, until: date | None, roster: BenefitRecord | None
) -> tuple[str, ...]:
    """The months (``YYYY-MM``) ``roster`` shows paid after the month an imprisonment of
    ``event_date`` stated to end on ``until`` ends in: payable, so never overpaid — but paid.

    Decided here (money safety; a month is paid at most once): the province's entry that
    applies the suspension may rewrite ``paid_through`` back to the imprisonment's month,
    and the hub, reading it alone, would back-pay these months again, and find none of them
    paid when a later release or death makes them overpaid. None when no end was stated
    (every paid month after the event's is overpaid, recovered).
    """
    if until is None or roster is None:
        return ()
    first = max(month_index(event_date), month_index(until)) + 1
    last = month_index(parse_month(roster.paid_through))
    return tuple(month_label(i) for i in range(first, last + 1))


def _overpayment(task: VerificationTask, first: int, last: int, monthly: Decimal) -> Overpayment:
    months = last - first + 1
    return Overpayment(
        person=task.person,
        task_id=task.task_id,
        period_from=parse_month(month_label(first)),
        period_to=last_day_of_month(parse_month(month_label(last))),
        months=months,
        monthly_amount=monthly,
        amount=monthly * months,
    )
