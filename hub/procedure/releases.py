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
transaction as the approval.
"""

from __future__ import annotations

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.recovery import records_in_force
from certhub.hub.procedure.reversals import hub_findings
from certhub.hub.procedure.tasks import extend
from certhub.hub.rules.recovery import yuan
from certhub.hub.rules.release_refund import released
from certhub.hub.store.effects import AuditWrite, Effects, OverpaymentReduction
from certhub.schemas import RecoveryStatus, Restoration, SuspensionReason, TaskKind

__all__ = ["release_refunds"]


async def release_refunds(
    ctx: ProcedureContext, effects: Effects, restoration: Restoration, item_id: int
) -> Effects:
    """``effects`` of approving restoration ``item_id`` with, when it states a release, each
    standing imprisonment's overpayment cut to the months up to the release month."""
    day = restoration.released_on
    if day is None:
        return effects
    person = restoration.person.id_number
    decided = effects.audit[0]  # the approval's own link: same actor and digest
    for suspension in (await hub_findings(ctx, person)).suspensions:
        if suspension.reason is not SuspensionReason.imprisonment:
            continue
        task_id = suspension.task.split(" ", 1)[1]
        row = await ctx.store.get_overpayment(task_id)
        if row is None:
            continue
        note = (
            f"released on {day.isoformat()} (restoration {item_id} approved): the months "
            "after the release month were payable, recovered no more"
        )
        cut = released(
            await records_in_force(ctx, task_id),
            day,
            months_count=row.months,
            amount_cents=row.amount_cents,
            recovered_cents=row.recovered_cents,
            status=RecoveryStatus(row.status),
            note=note,
        )
        if cut is None:
            continue
        if cut.refund_cents:
            note += f"; {yuan(cut.refund_cents)} recovered of them refunded"
        outcomes = tuple(
            ctx.outcomes.record(
                over.model_copy(update={"remarks": note[:1000]}),
                message_id=message_id,
                person=over.person,
                reason=TaskKind.imprisonment.value,
                at=ctx.clock(),
            )
            for message_id, over in cut.records
        )
        audit = tuple(
            AuditWrite("overpayment_released", task_id, decided.actor, o.sha256) for o in outcomes
        )
        reduction = OverpaymentReduction(
            task_id,
            person,
            cut.months,
            cut.months_count,
            cut.amount_cents,
            row.amount_cents,
            row.recovered_cents,
            cut.recovered_cents,
            cut.status.value,
        )
        effects = extend(
            effects, outcomes=outcomes, audit=audit, overpayment_reductions=(reduction,)
        )
    return effects
