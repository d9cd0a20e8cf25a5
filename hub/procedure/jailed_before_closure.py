"""An imprisonment confirmed while the hub's termination stands: the months paid in prison
that no disposal recovers yet are recovered all the same (rule 6, money safety).

The termination stops the benefit and recovers the months after its event's; a task of
the person still open is confirmed after it as a finding, paying, terminating and
suspending nothing again (:func:`~certhub.hub.procedure.certified_dead.upheld_remarks`).
An imprisonment before the death, though, made every month after the jailing's month a
prison month: confirmed *first*, it recovers them all (the death then none), as a late
roster entry recovers them from a prisoner who died later
(:mod:`~certhub.hub.procedure.late_roster`). Decided here (money safety: the same facts,
the same money, whatever the order the county confirms them in): confirmed after the
termination, it recovers the months after its month — through the end of sentence
stated, if any — that were paid and no disposal recovers yet (a month is recovered
once), as overpayment records of its own task; no suspension is signed over the
termination. Paid through M0 at 238.00, jailed on the 10th of M-8, died on the 15th of
M-3 and confirmed first (M-2..M0 = 714.00): the imprisonment recovers M-7..M-3 =
1,190.00 — 1,904.00 in all, as in the other order. Before, it recovered nothing.
"""

from __future__ import annotations

from datetime import date

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.task_series import overpayments_added
from certhub.hub.procedure.true_death import months_elsewhere
from certhub.hub.rules.disposal import dispose
from certhub.hub.store.effects import Effects
from certhub.schemas import BenefitRecord, TaskKind, TaskTransition, VerificationTask

__all__ = ["prison_months"]


async def prison_months(
    ctx: ProcedureContext,
    effects: Effects,
    task: VerificationTask,
    step: TaskTransition,
    *,
    jailed: date,
    actor: str,
) -> Effects:
    """``effects`` of imprisonment ``task`` (jailed on ``jailed``) confirmed by ``step``
    while the hub's termination of the person stands, with the months it makes overpaid
    that nothing recovers yet; unchanged for another kind, the roster's closure alone (the
    hub knows no date it stopped from) or no roster entry.

    Raises:
        Refusal: ``task-transition-invalid`` — as the disposal refuses a date before the
            birth or a sentence that ends before it begins.
    """
    person = task.person.id_number
    if task.kind is not TaskKind.imprisonment or await ctx.store.closed_benefit(person) is None:
        return effects
    snapshot = await ctx.store.get_roster(person)
    if snapshot is None:
        return effects
    recovered, back_paid = await months_elsewhere(ctx, person, None)
    disposal = dispose(  # its overpayments alone: the suspension is not signed
        task,
        event_date=jailed,
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
