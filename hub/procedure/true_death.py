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
from certhub.hub.procedure.recovery import months_in_force, overpayment_voided
from certhub.hub.procedure.reversals import voided_task
from certhub.hub.procedure.tasks import extend
from certhub.hub.store.effects import AuditWrite, BenefitClosure, Effects
from certhub.schemas import TaskStatus, VerificationTask
from certhub.security import VerifiedMessage

__all__ = ["months_elsewhere", "superseded_closure", "superseded_effects"]


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
    """``effects`` of ``task``'s confirmation with the ``superseded`` closure lifted and its
    task's overpayment voided (what it recovered refunded)."""
    person = task.person.id_number
    lifted = BenefitClosure(person, *superseded)
    found = f"{task.kind.value} confirmed by task {task.task_id}"
    note = f"termination of task {superseded[1]} voided; {found}"
    money, _ = await overpayment_voided(ctx, superseded[1], f"{note}: recovery stopped")
    audit = AuditWrite("closure_lifted", superseded[1], message.sender, message.digest)
    effects = replace(effects, closure_lifted=lifted, overpayment_change=money.overpayment_change)
    return extend(effects, audit=(audit,), outcomes=money.outcomes)
