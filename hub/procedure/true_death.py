"""A true death confirmed after the hub's termination of the person was voided.

A false record (a cremation civil affairs later voided) made the hub terminate the
benefit by task T1, with its overpayment; the departments withdrew it, so T1's
termination is voided (:func:`~certhub.hub.procedure.reversals.voided_task`) and a
restoration proposal waits. A death then reported again and confirmed by task T2 is
the person's true death: T2 takes the closure and terminates from its own date, its
overpayment counting every month paid after it — T1's months included, which T1 no
longer recovers. In the same transaction T1's closure is lifted (audit
``closure_lifted``) and T1's overpayment voided (re-signed ``<record>:voided``): what
was recovered of it is refunded, as when a restoration of a voided termination is
approved. T1's proposal can restore nothing after: the closure is T2's (deciding it is
``conflict``; staff reject it) and T2 is a finding confirmed after T1's termination.

Decided here (rule 7, money safety): only a termination (a death, a loss of nationality,
a duplicate receipt) takes over; an imprisonment or disappearance confirmed after the
void is still recorded with no disposal ("benefit already terminated") and refuses the
restoration, as before.
"""

from __future__ import annotations

from dataclasses import replace

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.recovery import overpayment_voided, records_in_force
from certhub.hub.procedure.reversals import voided_task
from certhub.hub.procedure.tasks import extend
from certhub.hub.rules.disposal import Disposal
from certhub.hub.store.effects import AuditWrite, BenefitClosure, Effects
from certhub.schemas import TaskDisposal, TaskStatus, VerificationTask
from certhub.security import VerifiedMessage

__all__ = ["recovered_elsewhere", "superseded_closure", "superseded_effects"]


async def superseded_closure(
    ctx: ProcedureContext, task: VerificationTask
) -> tuple[str, str] | None:
    """(reason, task id) of the hub's closure ``task``'s confirmation takes over: the
    person's closure when its termination is voided and ``task`` is confirmed and
    terminates; None otherwise (a closure standing, none, or a suspension confirmed)."""
    if task.status is not TaskStatus.confirmed or task.disposal is not TaskDisposal.terminate:
        return None
    closure = await ctx.store.closed_benefit(task.person.id_number)
    if closure is None or closure[1] == task.task_id:
        return None
    return closure if await voided_task(ctx, closure[1]) is not None else None


async def recovered_elsewhere(
    ctx: ProcedureContext, person_id: str, superseded: tuple[str, str] | None
) -> frozenset[str]:
    """The months already recovered from the person, less those the overpayment of the
    ``superseded`` closure's task counted: voided with it, they are the new death's to
    recover."""
    recovered = await ctx.store.counted_months(person_id, "recovered")
    if superseded is None:
        return recovered
    records = await records_in_force(ctx, superseded[1])
    voided = Disposal(overpayments=tuple(over for _, over in records)).recovered_months
    return recovered - frozenset(voided)


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
    note = f"termination of task {superseded[1]} voided; death confirmed by task {task.task_id}"
    money, _ = await overpayment_voided(ctx, superseded[1], f"{note}: recovery stopped")
    audit = AuditWrite("closure_lifted", superseded[1], message.sender, message.digest)
    effects = replace(effects, closure_lifted=lifted, overpayment_change=money.overpayment_change)
    return extend(effects, audit=(audit,), outcomes=money.outcomes)
