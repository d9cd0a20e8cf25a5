"""A verification task's series of hub records, and its overpayment balance grown.

The hub signs a task's termination and overpayments under historic message ids: the
first bare (``termination:<task>``, ``overpayment:<task>``), later ones ``:2``, ``:3``…
(the last termination is in force). Both a termination amendment
(:mod:`~certhub.hub.procedure.amendments`) and a late roster entry
(:mod:`~certhub.hub.procedure.late_roster`) add overpayment records to a task's series
and grow its balance the same way: written once here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from functools import partial

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.tasks import extend
from certhub.hub.rules.recovery import cents, status_for
from certhub.hub.store.base import LedgerRecord, OverpaymentRow
from certhub.hub.store.effects import Effects, OverpaymentExtension, OverpaymentWrite
from certhub.schemas import Termination, VerificationTask

__all__ = ["balance_grown", "numbered", "series", "termination_in_force"]


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
    none, else grown, its status recomputed from what is recovered."""
    if balance is None:
        write = OverpaymentWrite(
            task_id, task.person.id_number, task.person.region.county, period,
            len(months), str(total),
        )  # fmt: skip
        return extend(effects, overpayments=(write,))
    amount = balance.amount_cents + cents(total)
    grown = OverpaymentExtension(
        task_id, len(months), cents(total), balance.amount_cents, balance.recovered_cents,
        status_for(amount, balance.recovered_cents).value,
    )  # fmt: skip
    return replace(effects, overpayment_extension=grown)
