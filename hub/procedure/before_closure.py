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

from datetime import date

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.task_series import overpayments_added
from certhub.hub.procedure.true_death import months_elsewhere
from certhub.hub.rules.disposal import dispose
from certhub.hub.store.effects import Effects
from certhub.schemas import BenefitRecord, TaskKind, TaskTransition, VerificationTask

__all__ = ["months_before", "recovers_before"]


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
