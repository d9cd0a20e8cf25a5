"""A missing person found dead: the months between the disappearance and the death were
owed; those after the death are the death's to recover (rule 6, money safety).

A disappearance confirmed while the roster was paid up to date recovers every paid month
after the event month (the person's whereabouts unknown, payment suspended). A death
confirmed later, dated after the disappearance's month, says the person was alive until
then: the months up to the death's (payable, the death month included) were owed, as when a
missing person is found alive (:func:`~certhub.hub.procedure.reversals.disappearance_ended`)
— but a terminated benefit is never restored, so no restoration ever voided them. The
death's confirmation therefore voids the disappearance's overpayment in the same
transaction (re-signed ``<record>:voided``, what was recovered of it refunded) and counts
its months as paid and not recovered (:func:`found_dead`), so the death recovers those
after its month. Missing since the 2nd of M-6 (M-5..M-1 = 1,190.00), died on the 15th of
M-3: the 1,190.00 voided, the death's M-2..M-1 = 476.00 to recover (before, 714.00 of months
the person was alive were recovered from the family). A death in or before the
disappearance's month leaves it its months: every one of them came after the death. The
first such disappearance only (one balance voided per confirmation). A loss of nationality
or the receipt of another basic pension found after a disappearance is read the same way
(:data:`ENDED_ALIVE`): the person was alive and entitled until the event — missing since
the 2nd of M-6, naturalised abroad from the 15th of M-3: the 1,190.00 voided, M-2..M-1 =
476.00 to the termination (before, the disappearance went on recovering all 1,190.00).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.late_suspension import hub_suspensions
from certhub.hub.procedure.recovery import balance_cut, months_in_force, overpayment_voided
from certhub.hub.procedure.releases import cut_writes
from certhub.hub.procedure.task_series import overpayments_added
from certhub.hub.procedure.tasks import extend
from certhub.hub.rules.amendment_undone import moved_back
from certhub.hub.rules.disposal import overpaid
from certhub.hub.rules.months import month_index, month_label
from certhub.hub.store.effects import Effects, MonthsClaim
from certhub.schemas import (
    BenefitRecord,
    RecoveryStatus,
    TaskKind,
    Termination,
    VerificationTask,
)

__all__ = [
    "ENDED_ALIVE",
    "found_dead",
    "found_dead_again",
    "found_dead_effects",
    "found_dead_undone",
]

# The terminations that say the person was alive and entitled until the event: a death,
# a loss of nationality, the receipt of another basic pension.
ENDED_ALIVE = frozenset({TaskKind.death, TaskKind.loss_of_nationality, TaskKind.duplicate_receipt})


async def found_dead(
    ctx: ProcedureContext, task: VerificationTask, event_date: date
) -> tuple[str, frozenset[str]] | None:
    """(task id, months its overpayment counts) of the standing disappearance that death
    ``task`` (or a loss of nationality, a duplicate receipt: :data:`ENDED_ALIVE`), dated
    ``event_date``, finds the person alive after; None when there is none (or its balance is
    voided already)."""
    if task.kind not in ENDED_ALIVE:
        return None
    for row, found, suspension in await hub_suspensions(ctx, task.person.id_number):
        if found.kind is not TaskKind.missing or suspension is None:
            continue
        if month_index(event_date) <= month_index(suspension.effective_from):
            continue  # every month it counts came after the death
        balance = await ctx.store.get_overpayment(row.task_id)
        if balance is not None and balance.status != RecoveryStatus.voided.value:
            return row.task_id, await months_in_force(ctx, row.task_id)
    return None


async def found_dead_effects(
    ctx: ProcedureContext,
    effects: Effects,
    missing: tuple[str, frozenset[str]],
    task: VerificationTask,
) -> Effects:
    """``effects`` of death ``task``'s confirmation with the overpayment of disappearance
    ``missing`` (:func:`found_dead`) voided — what it recovered refunded — and its months
    claimed as paid under the death's task: the roster paid them, whatever a later entry
    rewrites (an amendment dating the death earlier reads them)."""
    missing_id, months = missing
    person = task.person.id_number
    free = tuple(sorted(months - await ctx.store.counted_months(person, "back_paid")))
    paid = (MonthsClaim(person, "back_paid", free, task.task_id),) if free else ()
    dead = task.kind is TaskKind.death
    found, until = ("dead", "the death") if dead else ("no longer entitled", "the event")
    note = (
        f"disappearance of task {missing_id}: found {found} ({task.kind.value} confirmed by "
        f"task {task.task_id}), alive and owed the months up to {until}"
    )
    money, _ = await overpayment_voided(ctx, missing_id, f"{note}: recovery stopped")
    effects = replace(effects, overpayment_change=money.overpayment_change)
    return extend(effects, outcomes=money.outcomes, months=paid)


async def found_dead_undone(
    ctx: ProcedureContext, effects: Effects, task: VerificationTask, actor: str
) -> Effects:
    """``effects`` of the void of ``task``'s termination (every record it rested on
    withdrawn: a restoration proposed) with the disappearance it found the person alive
    after (:func:`found_dead`, its balance voided then) owing again: the person is missing
    still (its suspension stands: the termination's restoration is refused over it), so the
    months it counted that nothing recovers now are opened again as its balance
    (``overpayment:<task>:<n>``, claimed by (person, month), nothing recovered: what it
    recovered was refunded). Decided here (money safety): before, they were recovered by
    no one — missing since the 2nd of M-6, paid through M-1, a cremation of the 3rd of M-2
    confirmed then withdrawn: M-5..M-2 = 952.00 lost. ``effects`` unchanged when none."""
    person = task.person.id_number
    stored = await ctx.store.get_roster(person)
    if task.kind not in ENDED_ALIVE or stored is None:
        return effects
    roster = BenefitRecord.model_validate_json(stored)
    for row, missing, suspension in await hub_suspensions(ctx, person):
        if missing.kind is not TaskKind.missing or suspension is None:
            continue
        balance = await ctx.store.get_overpayment(row.task_id)
        if balance is None or balance.status != RecoveryStatus.voided.value:
            continue  # a standing disappearance's balance is voided only by found_dead
        months = await months_in_force(ctx, row.task_id)
        counted = await ctx.store.counted_months(person, "recovered")
        # exactly the months it counted (the roster may have been rewritten since)
        event = suspension.effective_from
        only = roster.model_copy(update={"paid_through": month_label(month_index(event))})
        overs = overpaid(missing, event, only, counted, months)
        if not overs:
            return effects
        return await overpayments_added(
            ctx, effects, missing, overs, task_id=row.task_id, actor=actor, balance=balance
        )
    return effects


async def found_dead_again(
    ctx: ProcedureContext, effects: Effects, task: VerificationTask, actor: str
) -> Effects:
    """``effects`` of ``task``'s confirmation over the hub's voided termination (a true
    death, loss of nationality or duplicate receipt: :data:`ENDED_ALIVE`) with the months up
    to its own month taken off the overpayment of a disappearance standing, opened again by
    :func:`found_dead_undone` — the person was alive and owed them, as :func:`found_dead`
    decides when nothing was voided — and claimed as paid under ``task``. Missing since the
    2nd of M-6, a false cremation withdrawn (M-5..M-2 = 952.00 owing again), died on the
    15th of M-3: M-5..M-3 cut, M-2 = 238.00 kept (before, the 952.00 stood: 714.00 of
    months the person was alive recovered). ``effects`` unchanged when none."""
    signed = f"termination:{task.task_id}"
    terms = [o for o in effects.outcomes if o.message_id == signed]
    if task.kind not in ENDED_ALIVE or not terms:
        return effects
    event = Termination.model_validate_json(terms[0].payload).event_date
    person = task.person.id_number
    for row, missing, suspension in await hub_suspensions(ctx, person):
        if missing.kind is not TaskKind.missing or suspension is None:
            continue
        if month_index(event) <= month_index(suspension.effective_from):
            continue  # every month it counts came after the event
        balance = await ctx.store.get_overpayment(row.task_id)
        if balance is None or balance.status == RecoveryStatus.voided.value:
            continue
        note = (
            f"disappearance of task {row.task_id}: found {task.kind.value} (task "
            f"{task.task_id}, {event}), alive and owed the months up to it"
        )
        cut = await balance_cut(ctx, balance, moved_back, event, note)
        if cut is None:
            continue
        writes = cut_writes(
            ctx, cut, balance, person=person, reason=missing.kind.value, note=note, actor=actor
        )
        claimed = {m for c in effects.months if c.purpose == "back_paid" for m in c.months}
        taken = await ctx.store.counted_months(person, "back_paid") | claimed
        free = tuple(sorted(set(cut.months) - taken))  # paid: claimed once
        paid = (MonthsClaim(person, "back_paid", free, task.task_id),) if free else ()
        return extend(effects, months=paid, **writes)
    return effects
