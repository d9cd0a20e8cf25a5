"""A department's void of the record an approved amendment rests on: the death moved back.

An approved ``termination_amendment/v1`` re-signed the task's termination with an earlier
date and recovered the months between
(:func:`~certhub.hub.procedure.amendments.amendment_approved`). When the department
withdraws the record it rests on (what remains of the comparison's report no longer
passing the grade rule) while the task's own records still stand — the termination is not
voided, the void is ``no_effect`` for the task — nothing shows the person died on that
date any more. Decided here (rule 7, money safety): in the same transaction as the void,
the hub re-signs the termination with the date the records left support (the last
approved amendment still standing, else the task's own termination:
``termination:<task>:<n>``, audit ``termination_amended``) and takes the months up to
that date's month off the task's overpayment
(:func:`~certhub.hub.rules.amendment_undone.moved_back`: records re-signed, what was
recovered of those months refunded, the months freed in the ledger; audit
``overpayment_released``), as a stated release does.

The same holds when the void withdraws every record the task's confirmation rested on
and the termination stands only on records joined to it after
(:func:`~certhub.hub.procedure.reversals.joined_to_termination`: a report of the same
death, in the same month or later): they date the death no earlier than the earliest of
them states, so the termination is re-dated to that day and the months up to its month
are overpaid no more. Confirmed on the 3rd of M-2 while paid through M0 (M-1..M0 =
476.00), the city's report of the 8th of M-1 joined, civil affairs' record withdrawn:
M0 = 238.00, M-1 payable.

A death so dated later makes the months after the old date's month through the new one's
payable; those the roster never paid (after its ``paid_through``) are owed to the estate:
the re-signed termination states their back pay and the task claims them as back-paid
(:func:`~certhub.hub.rules.estate.owed_to_estate`), guarded by what was read of the person.
Confirmed on the 3rd of M-2 while paid through M-2, the report of the 8th of M-1 joined:
M-1 = 238.00 back-paid (before, owed and never paid).

A month so given back that a cause confirmed under the termination made overpaid (in
prison, another pension drawn, a nationality lost since its event) is that cause's: its
task recovers it in the same transaction (:func:`_given_back`), as when it is confirmed
after the move or first. Before, no task recovered it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from functools import partial

from certhub.hub.procedure.before_closure import confirmed_under, first_confirmed, stated_date
from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.recovery import balance_cut
from certhub.hub.procedure.releases import cut_writes
from certhub.hub.procedure.reversals import amendments_opened
from certhub.hub.procedure.task_series import numbered, overpayments_added, series
from certhub.hub.procedure.tasks import extend
from certhub.hub.rules.amendment import resting_on
from certhub.hub.rules.amendment_undone import moved_back
from certhub.hub.rules.comparison import (
    SourceRecord,
    machine_actor,
    opens_alone,
)
from certhub.hub.rules.decisions import ItemStatus
from certhub.hub.rules.disposal import overpaid
from certhub.hub.rules.estate import estate_note, owed_to_estate
from certhub.hub.store.base import OverpaymentRow
from certhub.hub.store.effects import AuditWrite, Effects, MonthsClaim
from certhub.hub.store.person_guard import PersonGuard
from certhub.schemas import (
    BenefitRecord,
    RecoveryStatus,
    Termination,
    TerminationAmendment,
    VerificationTask,
)

__all__ = ["amendment_withdrawn"]


def _stands(
    amendment: TerminationAmendment,
    machine: Mapping[str, tuple[SourceRecord, ...]],
    voids: Collection[tuple[str, str]],
) -> bool:
    """Whether what ``amendment`` rests on still stands: a person's report always (a
    department's void never withdraws it); the comparison's report while what remains of
    its records passes the grade rule (as its approval was checked). A record the hub
    cannot read back is taken as standing: nothing is moved on facts it cannot show."""
    source = resting_on(amendment)
    records = machine.get(source, ()) if source is not None else ()
    withdrawn = [s for s in records if (s.department, s.record_id) in voids]
    return not withdrawn or opens_alone(s for s in records if s not in withdrawn)


async def amendment_withdrawn(
    ctx: ProcedureContext,
    task: VerificationTask,
    machine: Mapping[str, tuple[SourceRecord, ...]],
    voids: Collection[tuple[str, str]],
    actor: str,
) -> Effects:
    """The effects moving the death by ``task`` (its termination in force, standing: the
    void is ``no_effect``; its sources with those of its approved amendments) back when
    the records ``voids`` (department, record id: this void and those before) withdraw
    what its last approved amendments rest on, or every record its confirmation rested
    on while later records joined to it stand (``machine``: the records each machine
    report behind the termination cited); none when the date in force is still
    supported. ``actor`` is the void's sender, for the audit chain."""
    task_id = task.task_id
    signed = [
        Termination.model_validate_json(r.payload)
        for r in await series(ctx, partial(numbered, f"termination:{task_id}"))
    ]
    if not signed:
        return Effects()
    approved = [
        (record.sequence, TerminationAmendment.model_validate_json(record.payload))
        for record, item in await amendments_opened(ctx, task_id)
        if item is not None and item.status == ItemStatus.APPROVED
    ]
    amended = {resting_on(amendment) for _, amendment in approved}
    target, basis = await _task_supports(ctx, task, signed[0], machine, voids, amended=amended)
    for sequence, amendment in approved:
        if _stands(amendment, machine, voids):
            target, basis = amendment.amended_event_date, f"amendment {sequence}"
    in_force = signed[-1]
    if target <= in_force.event_date:
        return Effects()  # the date in force is still supported
    said = ", ".join(f"{d}:{r}" for d, r in sorted(voids))
    guard, owed, owed_note = await _owed_to_estate(ctx, task, in_force.event_date, target)
    note = (
        f"death date moved back from {in_force.event_date} to {target} ({basis}): the record "
        f"the date in force rested on was withdrawn ({said}){owed_note}"
    )
    # the termination the remaining records support, as it was signed (or the task's own
    # re-dated to what the records joined to it state), dated again
    base = next((t for t in reversed(signed) if t.event_date == target), None)
    base = base or signed[0].model_copy(update={"event_date": target, "effective_from": target})
    moved = base.model_copy(
        update={"decided_by": machine_actor(), "decided_at": ctx.clock(), "remarks": note[:1000]}
    )
    outcome = ctx.outcomes.record(
        Termination.model_validate(moved.model_dump()),
        message_id=numbered(f"termination:{task_id}", len(signed) + 1),
        person=task.person,
        reason=task.kind.value,
        at=ctx.clock(),
    )
    effects = Effects(
        outcomes=(outcome,),
        audit=(AuditWrite("termination_amended", task_id, actor, outcome.sha256),),
        months=owed,
        person_guard=guard if owed else None,  # the roster the owed months were read from
    )
    effects = extend(effects, **await _months_cut(ctx, task, target, note, actor))
    return await _given_back(ctx, effects, task, actor)


async def _owed_to_estate(
    ctx: ProcedureContext, task: VerificationTask, was: date, now: date
) -> tuple[PersonGuard, tuple[MonthsClaim, ...], str]:
    """What was read of the person first, the months the death dated ``now`` instead of
    ``was`` makes payable that the roster never paid, claimed as back-paid under the task,
    and what the termination says of them (:func:`~certhub.hub.rules.estate.owed_to_estate`)."""
    person = task.person.id_number
    guard = await ctx.store.person_guard(person)  # read first: a roster entry in flight refuses
    snapshot = await ctx.store.get_roster(person)
    if snapshot is None:
        return guard, (), ""
    roster = BenefitRecord.model_validate_json(snapshot)
    counted = await ctx.store.counted_months(person, "back_paid") | await ctx.store.counted_months(
        person, "recovered"
    )
    owed = owed_to_estate(was, now, roster.paid_through, counted)
    claims = (MonthsClaim(person, "back_paid", owed, task.task_id),) if owed else ()
    return guard, claims, estate_note(owed, roster.monthly_amount, roster.paid_through)


async def _task_supports(
    ctx: ProcedureContext,
    task: VerificationTask,
    first: Termination,
    machine: Mapping[str, tuple[SourceRecord, ...]],
    voids: Collection[tuple[str, str]],
    *,
    amended: Collection[str | None],
) -> tuple[date, str]:
    """The death date the task's records still support, and what supports it: the task's own
    termination (``first``) while any record its confirmation rested on stands (a person's
    report, a source the hub cannot read back, a machine's record not withdrawn — as
    :func:`~certhub.hub.rules.comparison.termination_voided` reads them); else the earliest
    date the records joined to the termination after (still standing) state. The sources
    of approved amendments (``amended``) are theirs to date (:func:`_stands`)."""
    own = f"task {task.task_id}'s records"
    confirmed = await _confirmed_sources(ctx, task.task_id)
    if confirmed is None or any(_standing(s, machine, voids) for s in confirmed):
        return first.event_date, own
    joined = [
        s for s in task.sources
        if s not in confirmed and s not in amended and _standing(s, machine, voids)
    ]  # fmt: skip
    dated = [(d, s) for s in joined if (d := await stated_date(ctx, s)) is not None]
    if not dated:
        return first.event_date, own  # nothing moved on facts the hub cannot show
    day, source = min(dated)
    return day, f"the record {source} joined to the termination"


def _standing(
    source: str,
    machine: Mapping[str, tuple[SourceRecord, ...]],
    voids: Collection[tuple[str, str]],
) -> bool:
    """Whether ``source`` (a task's source) still stands: a person's report or one the hub
    cannot read back always; a machine report while a record it cited is not withdrawn."""
    records = machine.get(source)
    return records is None or any((s.department, s.record_id) not in voids for s in records)


async def _confirmed_sources(ctx: ProcedureContext, task_id: str) -> tuple[str, ...] | None:
    """The sources task ``task_id`` had when it was confirmed
    (:func:`~certhub.hub.procedure.before_closure.first_confirmed`);
    None when it cannot be read back."""
    record = await first_confirmed(ctx, task_id)
    return None if record is None else VerificationTask.model_validate_json(record.payload).sources


async def _given_back(
    ctx: ProcedureContext, effects: Effects, task: VerificationTask, actor: str
) -> Effects:
    """``effects`` of the death by ``task`` moved later, with the months it gives back
    (``effects``' cut) that a cause confirmed under its termination made overpaid — in
    prison, another pension drawn, a nationality lost since its event — recovered under
    that cause's task (:mod:`~certhub.hub.procedure.before_closure`).

    Decided here (money safety: the same facts, the same money, whatever the order the
    county confirms them in): confirmed while the death stood at the earlier date, the cause
    recovered the months up to it; those between the two dates were the death's. Moved back,
    the death recovers them no more, and they stay paid to a prisoner unless the cause
    takes them — as it does confirmed after the move, or first. Jailed on the 10th of
    M-6, the death of the 3rd of M-2 amended to the 3rd of M-3 then moved back: M-2 is the
    imprisonment's (M-5..M-2 = 952.00, the death M-1..M0 = 476.00). A cause that signed a
    suspension or termination of its own counted its months then; a disappearance is owed
    its months (:func:`~certhub.hub.procedure.before_closure.recovers_before`).
    """
    freed = frozenset(m for cut in effects.overpayment_reductions for m in cut.months)
    snapshot = await ctx.store.get_roster(task.person.id_number) if freed else None
    if snapshot is None:
        return effects
    person, roster = task.person.id_number, BenefitRecord.model_validate_json(snapshot)
    counted = await ctx.store.counted_months(person, "recovered") - freed
    paid = await ctx.store.back_paid_months(person) | freed  # the death counted them: paid
    for row in await ctx.store.confirmed_tasks(person):
        cause = VerificationTask.model_validate_json(row.snapshot)
        under = await confirmed_under(ctx, cause, task.task_id)
        balance = await ctx.store.get_overpayment(cause.task_id)
        # written off, it takes no more months; a message grows one balance (the store's)
        if under is None or not _grows(effects, balance):
            continue
        claimed = {m for c in effects.months if c.purpose == "recovered" for m in c.months}
        overs = overpaid(
            cause, under.event_date, roster, counted | claimed, paid, until=under.until
        )
        if overs:
            effects = await overpayments_added(
                ctx, effects, cause, overs, task_id=cause.task_id, actor=actor, balance=balance
            )
    return effects


def _grows(effects: Effects, balance: OverpaymentRow | None) -> bool:
    """Whether ``balance`` may take months in ``effects``: none yet (opened), or one neither
    written off nor after another balance ``effects`` grows already."""
    if balance is None:
        return True
    written_off = balance.status == RecoveryStatus.written_off.value
    return not written_off and effects.overpayment_extension is None


async def _months_cut(
    ctx: ProcedureContext, task: VerificationTask, target: date, note: str, actor: str
) -> dict[str, tuple[object, ...]]:
    """The writes taking the months up to ``target``'s month off ``task``'s overpayment, and
    the months cut claimed as paid (``back_paid`` under the task, as a release's are).

    Decided here (money safety; a month is paid at most once, and a month paid after the
    death is recovered): the overpayment counted them because they were paid. Freed, they
    are payable — but paid: the province's entry applying the termination rewrites
    ``paid_through`` back to the death month, and without the claim a later amendment to
    the earlier date again, reading it alone, recovered none of them (the 3rd of M-2
    confirmed while paid through M0, amended to the 3rd of M-3 and applied so, the record
    withdrawn, M-2 cut, the earlier date reported again: 476.00 instead of 714.00, M-2's
    238.00 lost); a voided termination's restoration skips months so claimed.
    """
    task_id, person = task.task_id, task.person.id_number
    row = await ctx.store.get_overpayment(task_id)
    if row is None:
        return {}
    cut = await balance_cut(ctx, row, moved_back, target, note)
    if cut is None:
        return {}
    writes = cut_writes(
        ctx, cut, row, person=person, reason=task.kind.value, note=note, actor=actor
    )
    free = set(cut.months) - await ctx.store.counted_months(person, "back_paid")
    paid = (MonthsClaim(person, "back_paid", tuple(sorted(free)), task_id),) if free else ()
    return writes | {"months": paid}
