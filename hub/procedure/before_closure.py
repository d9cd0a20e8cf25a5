"""A finding confirmed while the hub's termination stands, its event before the one in
force: the months it made overpaid that no disposal recovers yet are recovered all the
same (rule 6, money safety).

The termination stops the benefit and recovers the months after its event's; a task of
the person still open is confirmed after it as a finding, paying, terminating and
suspending nothing again (:func:`~certhub.hub.procedure.certified_dead.upheld_remarks`).
An imprisonment, another pension drawn, a nationality lost or a death *before* the event
in force, though, made every month after its own month not payable: confirmed *first*, it
recovers them all (the later cause then none), as a late roster entry recovers the prison
months of a prisoner who died later (:mod:`~certhub.hub.procedure.late_roster`). Decided
here (money safety: the same facts, the same money, whatever the order the county
confirms them in): confirmed after the termination, it recovers the months after its
month — through the end of sentence stated, if any — that were paid and no disposal
recovers yet (a month is recovered once), as overpayment records of its own task; no
suspension or termination is signed over the one in force. Paid through M0 at 238.00,
jailed on the 10th of M-8, died on the 15th of M-3 and confirmed first (M-2..M0 =
714.00): the imprisonment recovers M-7..M-3 = 1,190.00 — 1,904.00 in all, as in the
other order. Before, it recovered nothing. Not a disappearance (the termination found the
person alive until its event: the months missing were owed,
:mod:`~certhub.hub.procedure.found_dead`), nor a finding of the cause in force (a death
dated earlier than the death in force is an amendment for people to decide,
:mod:`~certhub.hub.procedure.amendments`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.task_series import overpayments_added, series
from certhub.hub.procedure.true_death import months_elsewhere
from certhub.hub.rules.comparison import MACHINE_REPORTER
from certhub.hub.rules.disposal import dispose
from certhub.hub.store.base import LedgerRecord
from certhub.hub.store.effects import Effects
from certhub.schemas import (
    BenefitRecord,
    EligibilityReport,
    TaskDisposal,
    TaskKind,
    TaskStatus,
    TaskTransition,
    VerificationTask,
)

__all__ = [
    "UnderClosure",
    "confirmed_under",
    "first_confirmed",
    "months_before",
    "recovers_before",
    "stated_date",
]


@dataclass(frozen=True, slots=True)
class UnderClosure:
    """A cause confirmed under another cause's termination, as its confirmation dated it:
    from ``event_date``, through ``until`` (the sentence's last day it stated; None: none)."""

    event_date: date
    until: date | None


async def recovers_before(ctx: ProcedureContext, task: VerificationTask) -> bool:
    """Whether ``task``, confirmed while the benefit is closed, recovers months of its own:
    the closure is the hub's termination (the roster's alone states no day it stopped), of
    another cause than ``task``'s, and ``task`` is not a disappearance."""
    closed = await ctx.store.closed_benefit(task.person.id_number)
    return closed is not None and task.kind is not TaskKind.missing and closed[0] != task.kind.value


async def months_before(
    ctx: ProcedureContext,
    effects: Effects,
    task: VerificationTask,
    step: TaskTransition,
    *,
    event: date,
    actor: str,
) -> Effects:
    """``effects`` of ``task`` (its event on ``event``) confirmed by ``step`` while the
    hub's termination of another cause stands (:func:`recovers_before`), with the months it
    makes overpaid that nothing recovers yet; unchanged with no roster entry.

    Raises:
        Refusal: ``task-transition-invalid`` — as the disposal refuses a date before the
            birth or a sentence that ends before it begins.
    """
    person = task.person.id_number
    snapshot = await ctx.store.get_roster(person)
    if snapshot is None:
        return effects
    recovered, back_paid = await months_elsewhere(ctx, person, None)
    disposal = dispose(  # its overpayments alone: nothing is terminated or suspended again
        task,
        event_date=event,
        suspend_until=step.suspend_until,
        roster=BenefitRecord.model_validate_json(snapshot),
        decided_by=step.actor,
        at=task.resolved_at or step.at,
        recovered=recovered,
        back_paid=back_paid,
    )
    if not disposal.overpayments:
        return effects
    balance = await ctx.store.get_overpayment(task.task_id)
    return await overpayments_added(
        ctx,
        effects,
        task,
        disposal.overpayments,
        task_id=task.task_id,
        actor=actor,
        balance=balance,
    )


async def confirmed_under(
    ctx: ProcedureContext, cause: VerificationTask, in_force: str
) -> UnderClosure | None:
    """``cause`` as confirmed when it recovers months of its own under the termination by
    task ``in_force`` (:func:`recovers_before`: another cause than the one in force, not a
    disappearance) and signed no suspension or termination of its own (confirmed under the
    closure): its event date (the step's, else the earliest its reports state) and stated
    end of sentence; None otherwise or when its confirmation cannot be read back.

    What a later change of the money reads again — a void moving the death later
    (:mod:`~certhub.hub.procedure.amendment_undo`), a late roster entry
    (:mod:`~certhub.hub.procedure.late_roster`): a cause so confirmed signed nothing that
    states its dates."""
    if cause.task_id == in_force or not await recovers_before(ctx, cause):
        return None
    hub = ctx.outcomes.hub_id
    for kind in ("suspension", "termination"):
        if await ctx.store.find(hub, f"{kind}:{cause.task_id}") is not None:
            return None
    step = await _confirming_step(ctx, cause.task_id)
    event = None if step is None else step.event_date or await _reported_date(ctx, cause)
    if step is None or event is None:
        return None
    return UnderClosure(
        event, step.suspend_until if cause.disposal is TaskDisposal.suspend else None
    )


async def first_confirmed(ctx: ProcedureContext, task_id: str) -> LedgerRecord | None:
    """Task ``task_id``'s first confirmed version the hub signed (``task:<task>:v<n>``)."""
    for record in await series(ctx, lambda n: f"task:{task_id}:v{n - 1}"):
        if VerificationTask.model_validate_json(record.payload).status is TaskStatus.confirmed:
            return record
    return None


async def _confirming_step(ctx: ProcedureContext, task_id: str) -> TaskTransition | None:
    """The step that confirmed task ``task_id``: the message its first confirmed version
    was signed for (the hub's records a message makes follow it in the ledger); None when
    it cannot be read back."""
    signed = await first_confirmed(ctx, task_id)
    sequence = signed.sequence - 1 if signed is not None else 0
    while sequence > 0 and (record := await ctx.store.get_record(sequence)) is not None:
        if record.sender != ctx.outcomes.hub_id:
            if record.message_type != TaskTransition.MESSAGE_TYPE:
                return None
            step = TaskTransition.model_validate_json(record.payload)
            return step if step.task_id == task_id else None
        sequence -= 1
    return None


async def _reported_date(ctx: ProcedureContext, task: VerificationTask) -> date | None:
    """The earliest event date the reports that raised ``task`` state (a confirmation that
    stated none took it from them); None when none can be read back."""
    dated = [d for s in task.sources if (d := await stated_date(ctx, s)) is not None]
    return min(dated, default=None)


async def stated_date(ctx: ProcedureContext, source: str) -> date | None:
    """The event date the report ``source`` states (a person's report by its item id, the
    comparison's by its message id); None when it cannot be read back."""
    if source.isdigit():
        record = await ctx.store.get_record(int(source))
    else:
        record = await ctx.store.find(MACHINE_REPORTER, source)
    if record is None or record.message_type != "eligibility_report/v1":
        return None
    return EligibilityReport.model_validate_json(record.payload).event_date
