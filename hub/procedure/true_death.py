"""A finding confirmed after the hub's termination of the person was voided.

A false record (a cremation civil affairs later voided) made the hub terminate the
benefit by task T1, with its overpayment; the departments withdrew it, so T1's
termination is voided (:func:`~certhub.hub.procedure.reversals.voided_task`) and a
restoration proposal waits. A task T2 then confirmed is the person's true fate: a death
(any termination) takes the closure and terminates from its own date; an imprisonment or
a disappearance suspends from its own. Either way T2's overpayment counts every month
paid after its date — T1's months included, which T1 no longer recovers, paid even when
the province applied T1 since (:func:`months_elsewhere`) — and in the
same transaction T1's closure is lifted (audit ``closure_lifted``) and T1's overpayment
voided (re-signed ``<record>:voided``): what was recovered of it is refunded, as when a
restoration of a voided termination is approved. T1's proposal can restore nothing
after: the closure is no longer T1's (deciding it is ``conflict``; staff reject it).

Decided here (rule 7, money safety): before, T2 was recorded with no disposal ("benefit
already terminated") and T1's overpayment stayed to recover months that were payable.
"""

from __future__ import annotations

from dataclasses import replace

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.found_dead import found_dead_again
from certhub.hub.procedure.recovery import months_in_force, overpayment_voided
from certhub.hub.procedure.reversals import voided_task
from certhub.hub.procedure.tasks import extend
from certhub.hub.store.effects import AuditWrite, BenefitClosure, Effects, MonthsClaim
from certhub.schemas import TaskStatus, VerificationTask
from certhub.security import VerifiedMessage

__all__ = ["months_elsewhere", "still_paid", "superseded_closure", "superseded_effects"]


async def superseded_closure(
    ctx: ProcedureContext, task: VerificationTask
) -> tuple[str, str] | None:
    """(reason, task id) of the hub's closure ``task``'s confirmation supersedes: the
    person's closure when its termination is voided and ``task`` is confirmed; None
    otherwise (``task`` not confirmed, no closure, or one standing)."""
    if task.status is not TaskStatus.confirmed:
        return None
    closure = await ctx.store.closed_benefit(task.person.id_number)
    if closure is None or closure[1] == task.task_id:
        return None
    return closure if await voided_task(ctx, closure[1]) is not None else None


async def months_elsewhere(
    ctx: ProcedureContext, person_id: str, superseded: tuple[str, str] | None
) -> tuple[frozenset[str], frozenset[str]]:
    """(recovered, paid): the months already recovered from the person, and those paid
    besides the roster's ``paid_through`` (approved restorations' back pay), as the new
    finding's disposal reads them — with the months the ``superseded`` closure's overpayment
    counted moved from the first to the second (read once).

    Voided with T1, those months are the new finding's to recover; and they were paid,
    which is why T1 counted them. Decided here (money safety): once the province applied
    T1 its entry says paid through T1's month, so the new finding, reading the roster
    alone, recovered none of them — voided with T1, they were lost."""
    recovered = await ctx.store.counted_months(person_id, "recovered")
    paid = await ctx.store.back_paid_months(person_id)
    if superseded is None:
        return recovered, paid
    voided = await months_in_force(ctx, superseded[1])
    return recovered - voided, paid | voided


async def superseded_effects(
    ctx: ProcedureContext,
    effects: Effects,
    superseded: tuple[str, str],
    task: VerificationTask,
    message: VerifiedMessage,
) -> Effects:
    """``effects`` of ``task``'s confirmation with the ``superseded`` closure lifted, its
    task's overpayment voided (what it recovered refunded) and the months that overpayment
    counted which ``task`` does not recover claimed as paid (:func:`still_paid`)."""
    person = task.person.id_number
    lifted = BenefitClosure(person, *superseded)
    found = f"{task.kind.value} confirmed by task {task.task_id}"
    note = f"termination of task {superseded[1]} voided; {found}"
    money, _ = await overpayment_voided(ctx, superseded[1], f"{note}: recovery stopped")
    audit = AuditWrite("closure_lifted", superseded[1], message.sender, message.digest)
    effects = replace(effects, closure_lifted=lifted, overpayment_change=money.overpayment_change)
    paid = await still_paid(ctx, effects, superseded[1], task)
    effects = extend(effects, audit=(audit,), outcomes=money.outcomes, months=paid)
    # a disappearance the voided termination found the person alive after owes again
    # (found_dead_undone): its months up to this finding's were owed all the same
    return await found_dead_again(ctx, effects, task, message.sender)


async def still_paid(
    ctx: ProcedureContext, effects: Effects, superseded: str, task: VerificationTask
) -> tuple[MonthsClaim, ...]:
    """The months the overpayment of ``superseded`` (voided by ``task``'s confirmation,
    ``effects``) counted that ``task`` does not recover, claimed as paid: ``back_paid`` under
    ``task`` (paid regularly, as :func:`~certhub.hub.procedure.releases.sentence_paid`'s) —
    none claimed already, nor in ``effects``.

    Decided here (money safety; a month is paid at most once): the superseded task counted
    them because the roster paid them; after ``task``'s date (a later death, a sentence
    served) they are payable, so no overpayment keeps them. Once the province had applied
    the voided termination its entry says paid through that termination's month: unclaimed,
    they were back-paid a second time by a restoration of the province's suspension
    (jailed on the 20th of M-1 after a false death of the 3rd of M-2 paid through M0: M-1,
    238.00), and a later date of death, reading the roster alone, recovered none of them."""
    person = task.person.id_number
    claimed: dict[str, set[str]] = {"back_paid": set(), "recovered": set()}
    for claim in effects.months:
        claimed.get(claim.purpose, set()).update(claim.months)
    taken = await ctx.store.counted_months(person, "back_paid") | claimed["back_paid"]
    free = await months_in_force(ctx, superseded) - claimed["recovered"] - taken
    return (MonthsClaim(person, "back_paid", tuple(sorted(free)), task.task_id),) if free else ()
