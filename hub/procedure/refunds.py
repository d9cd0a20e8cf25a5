"""What the hub refunded of a task's overpayment: recovered from someone who did not owe it.

A refund is never a row of its own; the hub's signed overpayment records say it. A voided
balance (the termination voided, or a release that left no prison month) refunds all it
recovered: its recovered total. A release that cut some months
(:mod:`~certhub.hub.procedure.releases`) re-signed each record it cut as
``<record>:released:voided``, its ``recovered_amount`` what was recovered of those months
and refunded; the balance's recovered total no longer counts it. The sum of both is the
refund (released on 2026-05-31 with 714.00 recovered of 1,904.00: 238.00).
"""

from __future__ import annotations

from functools import partial

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.task_series import numbered, series
from certhub.hub.rules.recovery import cents
from certhub.hub.store.base import OverpaymentRow
from certhub.schemas import Overpayment, RecoveryStatus

__all__ = ["refunded_cents"]


async def refunded_cents(ctx: ProcedureContext, row: OverpaymentRow) -> int:
    """The cents refunded of the overpayment ``row``: all it recovered when it is voided,
    plus what each release's cut records refunded."""
    total = row.recovered_cents if row.status == RecoveryStatus.voided.value else 0
    for record in await series(ctx, partial(numbered, f"overpayment:{row.task_id}")):
        cut = await ctx.store.find(ctx.outcomes.hub_id, f"{record.message_id}:released:voided")
        if cut is not None:
            total += cents(Overpayment.model_validate_json(cut.payload).recovered_amount)
    return total
