"""The suspension a late roster entry may show paid through: an imprisonment or a
disappearance the county confirmed, still standing (rule 6, money safety).

A confirmed imprisonment or disappearance suspends the benefit from the event date; every
month paid after the event month — through the sentence's end when the confirmation stated
one (``suspend_until``: payable again from the month after) — is overpaid
(:func:`~certhub.hub.rules.disposal.overpaid`). A province late to stop payment goes on
paying, and its later roster entry shows it: :mod:`~certhub.hub.procedure.late_roster`
adds those months as it does after a death. Read here: the suspension the hub signed on a
confirmed task (``suspension:<task>``; a task confirmed under a closure signed none — an
imprisonment so confirmed recovers the prison months paid by then,
:mod:`~certhub.hub.procedure.before_closure`, and a later entry reads it from its
confirmation, :mod:`~certhub.hub.procedure.late_roster`)
that no restoration approved since has ended — every one, in the order
they were confirmed: the earliest's months need not include a later one's (a sentence's
end stated, then a disappearance confirmed; or a disappearance dated before the
imprisonment confirmed first). A suspension a restoration ended takes no more months: a
disappearance's (the person was found; the months missing were owed, its overpayment
voided) and an imprisonment's (the release it states cut the months after its month;
months of the sentence the roster shows paid only after the approval are left to staff).

The confirmed tasks under such a suspension (:func:`hub_suspensions`, signed or, under a
closure, not) are also what a restoration is checked against
(:func:`~certhub.hub.procedure.reversals.hub_findings`): read once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.rules.restoration_findings import sentence_end
from certhub.hub.store.base import TaskRow
from certhub.schemas import Suspension, TaskDisposal, VerificationTask

__all__ = ["StandingSuspension", "hub_suspensions", "standing_suspensions"]


@dataclass(frozen=True, slots=True)
class StandingSuspension:
    """A suspension the hub signed on confirmed task ``row`` that still stands: from
    ``event_date``, through ``until`` (the sentence's last day as the confirmation stated
    it; None: no end stated, or a disappearance)."""

    row: TaskRow
    event_date: date
    until: date | None


async def hub_suspensions(
    ctx: ProcedureContext, person: str
) -> list[tuple[TaskRow, VerificationTask, Suspension | None]]:
    """The confirmed tasks of ``person`` (row and task) the hub disposed of by suspending
    that no restoration approved since has ended, in the order they were confirmed, each
    with the suspension the hub signed on it (None: confirmed under a closure, none signed)."""
    found: list[tuple[TaskRow, VerificationTask, Suspension | None]] = []
    for row in await ctx.store.confirmed_tasks(person):
        task = VerificationTask.model_validate_json(row.snapshot)
        if task.disposal is not TaskDisposal.suspend:
            continue
        if await ctx.store.resumed_after(person, row.changed_seq):
            continue  # a restoration approved since ended it
        signed = await ctx.store.find(ctx.outcomes.hub_id, f"suspension:{task.task_id}")
        suspension = None if signed is None else Suspension.model_validate_json(signed.payload)
        found.append((row, task, suspension))
    return found


async def standing_suspensions(ctx: ProcedureContext, person: str) -> list[StandingSuspension]:
    """The suspensions the hub signed on confirmed tasks of ``person`` that no restoration
    approved since has ended, in the order the tasks were confirmed (a task confirmed under
    a closure signed none: not read here)."""
    return [
        StandingSuspension(row, s.effective_from, sentence_end(s))
        for row, _, s in await hub_suspensions(ctx, person)
        if s is not None
    ]
