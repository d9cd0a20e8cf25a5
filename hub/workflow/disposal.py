"""What a confirmed verification task does to the benefit (rule 6), and what was overpaid.

Death, loss of nationality and duplicate receipt terminate the benefit from
the confirmed event date and the family is told to claim the one-time
payments; imprisonment suspends it for the sentence; missing suspends it.
Benefits remain payable for the month of the event; every month paid after
it, up to the roster's ``paid_through``, is an overpayment to recover.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from hub.workflow.months import first_of_next_month, last_day_of_month, month_index, parse_month
from hub.workflow.notices import Notice, family_termination_notice
from schemas import (
    ActorRef,
    BenefitRecord,
    Overpayment,
    Suspension,
    SuspensionReason,
    TaskDisposal,
    TaskKind,
    Termination,
    VerificationTask,
)


@dataclass(frozen=True, slots=True)
class Disposal:
    """The benefit changes one confirmed task causes."""

    termination: Termination | None = None
    suspension: Suspension | None = None
    overpayment: Overpayment | None = None
    notice: Notice | None = None


def dispose(
    task: VerificationTask,
    *,
    event_date: date,
    suspend_until: date | None,
    roster: BenefitRecord | None,
    decided_by: ActorRef,
    at: datetime,
) -> Disposal:
    """Terminate or suspend by the task's disposal, with the overpayment if any."""
    overpayment = overpaid(task, event_date, roster)
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
        return Disposal(suspension=suspension, overpayment=overpayment)
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
    return Disposal(termination=termination, overpayment=overpayment, notice=notice)


def overpaid(
    task: VerificationTask, event_date: date, roster: BenefitRecord | None
) -> Overpayment | None:
    """Months paid after the event month, per the roster; None if nothing was overpaid."""
    if roster is None:
        return None
    paid_through = parse_month(roster.paid_through)
    months = month_index(paid_through) - month_index(event_date)
    if months <= 0:
        return None
    monthly = Decimal(roster.monthly_amount)
    return Overpayment(
        person=task.person,
        task_id=task.task_id,
        period_from=first_of_next_month(event_date),
        period_to=last_day_of_month(paid_through),
        months=months,
        monthly_amount=monthly,
        amount=monthly * months,
    )
