"""A verification task's series of hub records, and its overpayment balance grown.

The hub signs a task's termination and overpayments under historic message ids: the
first bare (``termination:<task>``, ``overpayment:<task>``), later ones ``:2``, ``:3``…
(the last termination is in force). A termination amendment
(:mod:`~certhub.hub.procedure.amendments`), a late roster entry
(:mod:`~certhub.hub.procedure.late_roster`) and a release later than the sentence's stated
end (:mod:`~certhub.hub.procedure.releases`) add overpayment records to a task's series,
claim their months and grow its balance the same way: written once here
(:func:`overpayments_added`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from functools import partial

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.tasks import extend
from certhub.hub.rules.disposal import Disposal
from certhub.hub.rules.recovery import cents, status_for
from certhub.hub.store.base import LedgerRecord, OverpaymentRow
from certhub.hub.store.effects import AuditWrite, Effects, MonthsClaim
from certhub.hub.store.overpayment_effects import OverpaymentExtension, OverpaymentWrite
from certhub.schemas import Overpayment, RecoveryStatus, Termination, VerificationTask

__all__ = ["balance_grown", "numbered", "overpayments_added", "series", "termination_in_force"]


def numbered(prefix: str, number: int) -> str:
    """The historic ids of a task's records: the first bare, then ``:2``, ``:3``…"""
    return prefix if number == 1 else f"{prefix}:{number}"


async def series(ctx: ProcedureContext, name: Callable[[int], str]) -> list[LedgerRecord]:
    """The hub's records named ``name(1)``, ``name(2)``, … in order, up to the first missing."""
    found: list[LedgerRecord] = []
    while (record := await ctx.store.find(ctx.outcomes.hub_id, name(len(found) + 1))) is not None:
        found.append(record)
    return found


async def termination_in_force(
    ctx: ProcedureContext, task_id: str
) -> tuple[int, Termination] | None:
    """How many terminations the hub signed for ``task_id``, and the last (in force)."""
    signed = await series(ctx, partial(numbered, f"termination:{task_id}"))
    if not signed:
        return None
    return len(signed), Termination.model_validate_json(signed[-1].payload)


def balance_grown(
    effects: Effects,
    task: VerificationTask,
    *,
    task_id: str,
    period: str,
    months: Sequence[str],
    total: Decimal,
    balance: OverpaymentRow | None,
) -> Effects:
    """``effects`` and the change that adds ``months`` overpaid, ``total`` in all, to task
    ``task_id``'s balance: opened from ``period`` (the first new record's) when there is
    none, else grown, its status recomputed from what is recovered — or, voided (a death
    moved back voided it whole), opened again from ``period`` with those months alone,
    nothing recovered (what it recovered was refunded)."""
    if balance is None:
        write = OverpaymentWrite(
            task_id, task.person.id_number, task.person.region.county, period,
            len(months), str(total),
        )  # fmt: skip
        return extend(effects, overpayments=(write,))
    if balance.status == RecoveryStatus.voided.value:
        grown = OverpaymentExtension(
            task_id, len(months), cents(total), balance.amount_cents, balance.recovered_cents,
            RecoveryStatus.pending.value, reopens=period,
        )  # fmt: skip
        return replace(effects, overpayment_extension=grown)
    amount = balance.amount_cents + cents(total)
    grown = OverpaymentExtension(
        task_id, len(months), cents(total), balance.amount_cents, balance.recovered_cents,
        status_for(amount, balance.recovered_cents).value,
    )  # fmt: skip
    return replace(effects, overpayment_extension=grown)


async def overpayments_added(
    ctx: ProcedureContext,
    effects: Effects,
    task: VerificationTask,
    overs: Sequence[Overpayment],
    *,
    task_id: str,
    actor: str,
    balance: OverpaymentRow | None,
) -> Effects:
    """``effects`` and ``overs`` (one or more) added to task ``task_id``'s overpayment: each
    signed as the next record of its series (numbered after those signed before), linked
    ``overpayment`` in the audit chain by ``actor``, their months claimed as recovered under
    the task (keyed by person and month: never twice), and ``balance`` opened or grown
    (:func:`balance_grown`)."""
    before = len(await series(ctx, partial(numbered, f"overpayment:{task_id}")))
    outcomes = tuple(
        ctx.outcomes.record(
            over,
            message_id=numbered(f"overpayment:{task_id}", before + n),
            person=task.person,
            reason=task.kind.value,
            at=ctx.clock(),
        )
        for n, over in enumerate(overs, 1)
    )
    months = Disposal(overpayments=tuple(overs)).recovered_months
    effects = extend(
        effects,
        outcomes=outcomes,
        audit=tuple(AuditWrite("overpayment", task_id, actor, o.sha256) for o in outcomes),
        months=(MonthsClaim(task.person.id_number, "recovered", months, task_id),),
    )
    return balance_grown(
        effects, task, task_id=task_id, period=outcomes[0].period or "", months=months,
        total=sum((o.amount for o in overs), Decimal(0)), balance=balance,
    )  # fmt: skip
