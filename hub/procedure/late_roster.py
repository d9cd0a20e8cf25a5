"""Months the province paid after a termination or a suspension the hub signed, shown by a
later roster entry: added to the task's overpayment (rule 6, money safety).

The overpayment is computed when the task is confirmed (or its death amended), from the
roster as the hub holds it then. A province late to stop payment goes on paying: a later
entry's ``paid_through`` beyond the months counted shows months paid after the event month
that nothing recovers. Each such entry, when it is the person's latest (the roster's rule:
the latest ``as_of`` wins), adds them — the months paid after the event month of the
termination in force, or of a confirmed imprisonment or disappearance whose suspension
stands (:mod:`~certhub.hub.procedure.late_suspension`; through the sentence's end when the
confirmation stated one, as the confirmation counts them), not recovered yet
(:func:`~certhub.hub.rules.disposal.overpaid`) — as further overpayment records of the task
(``overpayment:<task>:2``, ``:3``…, continuing its series), claimed by (person, month) so
none is recovered twice, and grows the balance
(:class:`~certhub.hub.store.overpayment_effects.OverpaymentExtension`, opened if there was none), in
the same transaction as the roster entry. A balance written off or a suspension's voided
takes no more months (the entry is stored; the months are left to staff, claimed as paid
by the task — ``back_paid``, as months paid after a stated end of sentence are — so a
later void dating the death later owes none of them to the estate again, and no
restoration back-pays them: decided here, money safety; before, the 3rd of M-2 confirmed
while paid through M-1, written off, M0 paid late, the province's entry rewriting
``paid_through`` to M-2, the death moved to the 1st of M0: M0 = 238.00 "back pay to the
estate", a month paid twice); the termination
in force's voided (a death moved back cut every month it counted: it owes nothing) is
opened again with them (:func:`~certhub.hub.procedure.task_series.balance_grown`) —
decided here (money safety): before, they were left to staff with nothing to say so, and
never recovered (the 3rd of M-2 in force again, an entry paid through M0: M-1..M0 =
476.00). Nor does a voided termination
(the person is alive: approving its restoration voids the overpayment) — a suspension
standing beside it still does — nor a suspension a restoration approved has ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from certhub.hub.procedure.before_closure import confirmed_under
from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.late_suspension import standing_suspensions
from certhub.hub.procedure.releases import sentence_paid
from certhub.hub.procedure.reversals import voided_task
from certhub.hub.procedure.task_series import overpayments_added, termination_in_force
from certhub.hub.procedure.tasks import extend
from certhub.hub.rules.disposal import Disposal, overpaid, paid_after_sentence
from certhub.hub.store.base import OverpaymentRow, TaskRow
from certhub.hub.store.effects import Effects
from certhub.schemas import BenefitRecord, RecoveryStatus, TaskKind, VerificationTask
from certhub.security import VerifiedMessage

__all__ = ["late_payments", "late_payments_from"]


@dataclass(frozen=True, slots=True)
class _Owing:
    """The task a late entry may have paid after: its id, event date, row and balance, the
    last day overpaid (a sentence's end; None: every month after the event's), and whether
    it is the termination in force (its balance voided only by a death moved back)."""

    task_id: str
    event_date: date
    row: TaskRow
    balance: OverpaymentRow | None
    until: date | None = None
    terminates: bool = False
    found: bool = False

    @property
    def settled(self) -> bool:
        """Whether its balance takes no more months: written off, a suspension's voided, or
        a disappearance the termination in force found the person after (:attr:`found`)."""
        status = self.balance.status if self.balance is not None else None
        voided = status == RecoveryStatus.voided.value and not self.terminates
        return status == RecoveryStatus.written_off.value or voided or self.found


async def late_payments(
    ctx: ProcedureContext, message: VerifiedMessage, record: BenefitRecord
) -> Effects:
    """The overpayment a roster entry ``record`` adds: the months it shows paid after the
    termination in force that nothing recovers yet (no effects when there are none)."""
    return await late_payments_from(ctx, message.sender, record)


async def late_payments_from(ctx: ProcedureContext, sender: str, record: BenefitRecord) -> Effects:
    """:func:`late_payments` of an entry ``sender`` brought (the audit's actor): a pushed
    entry's sender, or a bulk roster import's (:mod:`~.roster_late_import`)."""
    person = record.person.id_number
    owing = await _owing(ctx, person)
    if not owing or await _older(ctx, person, record):
        return Effects()
    counted = await ctx.store.counted_months(person, "recovered")
    back_paid = await ctx.store.back_paid_months(person)
    effects, paid = Effects(), set[str]()
    for one in owing:  # the earliest confirmed first: a month goes to one task only
        task = VerificationTask.model_validate_json(one.row.snapshot)
        # paid after a stated end of sentence: payable, kept paid (a rewrite may hide them)
        served = set(paid_after_sentence(one.event_date, one.until, record)) - paid
        effects = extend(effects, months=await sentence_paid(ctx, one.task_id, person, served))
        paid |= served
        overs = overpaid(task, one.event_date, record, counted, back_paid, until=one.until)
        if not overs:
            continue
        months = Disposal(overpayments=overs).recovered_months
        counted |= frozenset(months)
        if one.settled:  # left to staff, but paid: said so (a rewrite may hide them)
            kept = set(months) - paid
            effects = extend(effects, months=await sentence_paid(ctx, one.task_id, person, kept))
            paid |= kept
            continue
        if one.balance is not None and effects.overpayment_extension is not None:
            continue  # one balance grown per entry (the next adds the rest)
        effects = await overpayments_added(
            ctx, effects, task, overs, task_id=one.task_id, actor=sender, balance=one.balance
        )
    return effects


async def _older(ctx: ProcedureContext, person: str, record: BenefitRecord) -> bool:
    """Whether ``record`` is older than the person's entry on file (the roster keeps the
    latest ``as_of``)."""
    stored = await ctx.store.get_roster(person)
    return stored is not None and BenefitRecord.model_validate_json(stored).as_of > record.as_of


async def _owing(ctx: ProcedureContext, person: str) -> list[_Owing]:
    """The tasks a late entry may have paid after, in the order their months are taken: the
    termination in force (the months after its event's), then each standing suspension
    confirmed before it, earliest first (the months after its event's not taken: a prisoner
    who died later was paid in prison). A voided termination is not listed (the person is
    alive: approving its restoration voids the overpayment), the suspensions standing
    beside it are — decided here (money safety): before, none was, and the months a late
    entry showed paid to a prisoner jailed before the false death were lost (jailed on the
    20th of M-4, paid through M0: M-3..M0 = 952.00). A balance settled is listed
    (:attr:`_Owing.settled`): its months are left to staff, not another task's to recover.
    A disappearance standing beside the termination in force is settled: the termination
    (a death, a loss of nationality, a duplicate receipt) found the person alive until its
    event, so the months between were owed and those after are the termination's
    (:mod:`~certhub.hub.procedure.found_dead`) — decided here (money safety): before, both
    confirmed while paid through the disappearance's month (missing since the 2nd of M-6,
    died on the 15th of M-3), an entry paid through M-1 recovered M-5..M-3 = 714.00 of
    months the person was alive under the disappearance."""
    owing: list[_Owing] = []
    closed = await ctx.store.closed_benefit(person)
    if closed is not None and await voided_task(ctx, closed[1]) is None:  # voided: alive
        found = await _terminated(ctx, closed[1])
        if found is None:
            return []
        owing.append(found)
    in_force = owing[0].task_id if owing else None
    for standing in await standing_suspensions(ctx, person):
        task_id = standing.row.task_id
        balance = await ctx.store.get_overpayment(task_id)
        kind = VerificationTask.model_validate_json(standing.row.snapshot).kind
        alive = in_force is not None and kind is TaskKind.missing
        owing.append(
            _Owing(task_id, standing.event_date, standing.row, balance, standing.until, found=alive)
        )
    if in_force is not None:
        owing += await _under_closure(ctx, person, in_force)
    return owing


async def _under_closure(ctx: ProcedureContext, person: str, in_force: str) -> list[_Owing]:
    """The causes confirmed under the termination in force (task ``in_force``) that recover
    months of their own (:func:`~certhub.hub.procedure.before_closure.confirmed_under`: in
    prison, another pension drawn, a nationality lost before its event): each from its
    event, through the sentence its confirmation stated, after the termination's months.

    Decided here (money safety: the same facts, the same money, whatever the order the
    county confirms them in): such a cause signs no suspension, so a late entry read none
    of them. Paid through M-9, the death of the 15th of M-3 confirmed, then the
    imprisonment of the 10th of M-8, then an entry paid through M0: the death M-2..M0 =
    714.00 and the imprisonment M-7..M-3 = 1,190.00, as when the imprisonment is
    confirmed first; before, the 1,190.00 paid in prison was recovered by no task."""
    found: list[_Owing] = []
    for row in await ctx.store.confirmed_tasks(person):
        cause = VerificationTask.model_validate_json(row.snapshot)
        under = await confirmed_under(ctx, cause, in_force)
        if under is not None:
            balance = await ctx.store.get_overpayment(cause.task_id)
            found.append(_Owing(cause.task_id, under.event_date, row, balance, under.until))
    return found


async def _terminated(ctx: ProcedureContext, task_id: str) -> _Owing | None:
    """:func:`_owing` of the task that terminated the benefit (its termination not voided);
    None when its termination cannot be read back."""
    found = await termination_in_force(ctx, task_id)
    row = await ctx.store.get_task(task_id)
    if found is None or row is None:
        return None
    balance = await ctx.store.get_overpayment(task_id)
    return _Owing(task_id, found[1].event_date, row, balance, terminates=True)
