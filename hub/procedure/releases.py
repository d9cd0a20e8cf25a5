"""A restoration stating a release, approved: the imprisonment's overpayment cut to the prison
months (rule 7, money safety).

An imprisonment confirmed while the roster was paid up to date recovers every paid month
after the event month through the sentence's end as stated — every month, with no end
stated. The release staff state on the restoration (``released_on``, checked by
:func:`~certhub.hub.rules.restoration_findings.check_release` at the request and each
decision) is the sentence's actual end: the months after its month were payable. Approving
the restoration therefore takes them off the overpayment of each imprisonment it ends
(:func:`~certhub.hub.rules.release_refund.released`): the records re-signed, what was
recovered of those months refunded, the months freed in the ledger — in the same
transaction as the approval. A release later than the end the confirmation stated
(``suspend_until``) makes the months after that end through the release month prison
months: those the roster paid, or a restoration back-paid, and nothing recovers yet are
added to the task's overpayment (:func:`prison_months_added`) as an amendment's are. The months
cut were paid all the same: they are claimed as paid by the approved restoration
(:func:`paid_claims`), so no later restoration back-pays them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.recovery import balance_cut
from certhub.hub.procedure.reversals import hub_findings
from certhub.hub.procedure.task_series import overpayments_added
from certhub.hub.procedure.tasks import extend
from certhub.hub.rules.disposal import overpaid
from certhub.hub.rules.recovery import yuan
from certhub.hub.rules.release_refund import Released, released
from certhub.hub.rules.restoration_findings import HubSuspension, served_until
from certhub.hub.store.base import OverpaymentRow
from certhub.hub.store.effects import AuditWrite, Effects, MonthsClaim
from certhub.hub.store.overpayment_effects import OverpaymentReduction
from certhub.schemas import (
    BenefitRecord,
    RecoveryStatus,
    Refusal,
    Restoration,
    SuspensionReason,
    TaskKind,
    VerificationTask,
)

__all__ = ["cut_writes", "paid_claims", "prison_months_added", "release_refunds", "sentence_paid"]


async def release_refunds(
    ctx: ProcedureContext,
    effects: Effects,
    restoration: Restoration,
    item_id: int,
    freed: frozenset[str] = frozenset(),
) -> Effects:
    """``effects`` of approving restoration ``item_id`` with, when it states a release, each
    standing imprisonment's overpayment cut to the months up to the release month (or grown
    to it, :func:`prison_months_added`, ``freed`` the months a disappearance this approval
    ends counted)."""
    day = restoration.released_on
    if day is None:
        return effects
    person = restoration.person.id_number
    decided = effects.audit[0]  # the approval's own link: same actor and digest
    suspensions = (await hub_findings(ctx, person)).suspensions
    for suspension in suspensions:
        if suspension.reason is not SuspensionReason.imprisonment:
            continue
        if served_until(suspension, suspensions, day) != day:
            continue  # a later imprisonment's release: this sentence ended as stated
        task_id = suspension.task.split(" ", 1)[1]
        row = await ctx.store.get_overpayment(task_id)
        if suspension.until is not None and suspension.until < day:
            effects = await prison_months_added(ctx, effects, suspension, day, item_id, freed=freed)
            continue
        if row is None:
            continue
        note = (
            f"released on {day.isoformat()} (restoration {item_id} approved): the months "
            "after the release month were payable, recovered no more"
        )
        cut = await balance_cut(ctx, row, released, day, note)
        if cut is None:
            continue
        reason = TaskKind.imprisonment.value
        writes = cut_writes(
            ctx, cut, row, person=person, reason=reason, note=note, actor=decided.actor
        )
        paid = await paid_claims(ctx, person, cut.months, item_id)
        effects = extend(effects, **writes, months=paid)
    return effects


def cut_writes(
    ctx: ProcedureContext,
    cut: Released,
    row: OverpaymentRow,
    *,
    person: str,
    reason: str,
    note: str,
    actor: str,
) -> dict[str, tuple[object, ...]]:
    """The writes taking ``cut``'s months off overpayment ``row`` (of ``person``): its
    records re-signed (``reason``, remarks ``note`` and what was refunded), each linked
    ``overpayment_released`` in the audit chain by ``actor``, and the balance reduced, the
    months freed in the ledger. A stated release and a void that moves an amended death
    back (:mod:`~certhub.hub.procedure.amendment_undo`) cut an overpayment the same way."""
    if cut.refund_cents:
        note += f"; {yuan(cut.refund_cents)} recovered of them refunded"
    outcomes = tuple(
        ctx.outcomes.record(
            over.model_copy(update={"remarks": note[:1000]}),
            message_id=message_id,
            person=over.person,
            reason=reason,
            at=ctx.clock(),
        )
        for message_id, over in cut.records
    )
    task_id = row.task_id
    audit = tuple(AuditWrite("overpayment_released", task_id, actor, o.sha256) for o in outcomes)
    reduction = OverpaymentReduction(
        task_id, person, cut.months, cut.months_count, cut.amount_cents, row.amount_cents,
        row.recovered_cents, cut.recovered_cents, cut.status.value,
    )  # fmt: skip
    return {"outcomes": outcomes, "audit": audit, "overpayment_reductions": (reduction,)}


async def paid_claims(
    ctx: ProcedureContext, person: str, months: Collection[str], item_id: int
) -> tuple[MonthsClaim, ...]:
    """``months`` an overpayment of ``person`` counted, freed by approving restoration
    ``item_id`` (a release cut them, a disappearance's or a voided termination's overpayment
    is voided), claimed as paid by it: ``back_paid`` under the approved item, as its own back
    pay is — none claimed already.

    Decided here (money safety; a month is paid at most once): the overpayment counted them
    because the roster paid them (or a restoration back-paid them). Freed, they are no
    longer recovered — payable after all — but they were paid: without the claim a later
    restoration of the same suspension (the province's entry having rewritten
    ``paid_through`` back to the suspension's month) back-paid them again, and a later death
    before them, reading the roster alone, recovered none of them.
    """
    taken = await ctx.store.counted_months(person, "back_paid")
    free = tuple(sorted(set(months) - taken))
    return (MonthsClaim(person, "back_paid", free, str(item_id)),) if free else ()


async def sentence_paid(
    ctx: ProcedureContext,
    task_id: str,
    person: str,
    months: Collection[str],
) -> tuple[MonthsClaim, ...]:
    """``months`` the roster paid after the end of sentence imprisonment ``task_id``'s
    confirmation stated (:func:`~certhub.hub.rules.disposal.paid_after_sentence`), claimed
    as paid (``back_paid`` under the task: paid regularly) — none claimed already.

    Decided here (money safety; a month is paid at most once): payable, they are not
    overpaid, and nothing else kept them paid; once the province's entry rewrote
    ``paid_through`` back to the imprisonment's month a restoration back-paid them again
    (``months-already-counted`` now), and a later release or death, reading the roster
    alone, recovered none of them (:meth:`~certhub.hub.store.base.BenefitReads.back_paid_months`
    reads them)."""
    free = tuple(sorted(set(months) - await ctx.store.counted_months(person, "back_paid")))
    return (MonthsClaim(person, "back_paid", free, task_id),) if free else ()


async def prison_months_added(
    ctx: ProcedureContext,
    effects: Effects,
    found: HubSuspension,
    day: date,
    item_id: int,
    *,
    freed: frozenset[str] = frozenset(),
    note: str | None = None,
) -> Effects:
    """``effects`` and the months a release on ``day``, later than the end of sentence the
    confirmation of imprisonment ``found`` stated, makes prison months that were paid
    (through the roster's ``paid_through``, or back-paid) and nothing recovers yet: further
    overpayment records of the task, the months claimed, the balance opened or grown. A
    balance written off or voided takes none (staff recover them outside the hub, as a late
    roster entry's). ``freed`` are months a disappearance's overpayment, voided by the same
    approval, counted: paid, and recovered no more by it — the imprisonment's when they were
    prison months (``note`` says why, for the records).

    Raises:
        Refusal: ``conflict`` — another imprisonment this approval ends grows its balance
            too (one balance grown per decision).
    """
    task_id = found.task.split(" ", 1)[1]
    row = await ctx.store.get_task(task_id)
    if row is None or found.effective_from is None:  # pragma: no cover - checked before
        return effects
    task = VerificationTask.model_validate_json(row.snapshot)
    person = task.person.id_number
    snapshot = await ctx.store.get_roster(person)
    balance = await ctx.store.get_overpayment(task_id)
    settled = (RecoveryStatus.written_off.value, RecoveryStatus.voided.value)
    if snapshot is None or (balance is not None and balance.status in settled):
        return effects
    claimed = {m for claim in effects.months if claim.purpose == "recovered" for m in claim.months}
    overs = overpaid(
        task,
        found.effective_from,
        BenefitRecord.model_validate_json(snapshot),
        (await ctx.store.counted_months(person, "recovered") - freed) | claimed,
        await ctx.store.back_paid_months(person) | freed,
        until=day,
    )
    if not overs:
        return effects
    if effects.overpayment_extension is not None or effects.overpayments:
        raise Refusal("conflict", "two imprisonments' overpayments grow at once; decide again")
    note = note or (
        f"released on {day.isoformat()} (restoration {item_id} approved), after the end of "
        "sentence the confirmation stated: the months paid since were prison months"
    )
    noted = tuple(over.model_copy(update={"remarks": note}) for over in overs)
    decided = effects.audit[0]  # the approval's own link: same actor and digest
    # an imprisonment's task (its suspension's reason): the records' reason is its kind
    return await overpayments_added(
        ctx, effects, task, noted, task_id=task_id, actor=decided.actor, balance=balance
    )
