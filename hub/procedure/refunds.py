"""What the hub refunded of a task's overpayment: recovered from someone who did not owe it.

A refund is never a row of its own; the hub's signed overpayment records say it. A voided
balance (the termination voided, or a release that left no prison month) refunds all it
recovered: its recovered total, spread over its records re-signed ``<record>:voided``. A
release that cut some months (:mod:`~certhub.hub.procedure.releases`) re-signed each record
it cut as
``<record>:released:voided``, its ``recovered_amount`` what was recovered of those months
and refunded; the balance's recovered total no longer counts it. The sum of both is the
refund (released on 2026-05-31 with 714.00 recovered of 1,904.00: 238.00). A balance
voided and opened again (a death moved back, then dated earlier again: its recovered total
starts from nothing) refunded what its records re-signed ``<record>:voided`` recovered,
as they say.
"""

from __future__ import annotations

from functools import partial

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.cuts import cuts_of
from certhub.hub.procedure.task_series import numbered, series
from certhub.hub.rules.recovery import cents
from certhub.hub.store.base import OverpaymentRow
from certhub.schemas import Overpayment, RecoveryStatus

__all__ = ["refunded_cents"]


async def refunded_cents(ctx: ProcedureContext, row: OverpaymentRow) -> int:
    """The cents refunded of the overpayment ``row``: what its records voided
    (``<record>:voided``) recovered — all it recovered, when it is voided — plus what each
    cut of a record refunded (``<record>:released:voided``, ``…:released:2:voided``…)."""
    hub = ctx.outcomes.hub_id
    total, voided = 0, False
    for record in await series(ctx, partial(numbered, f"overpayment:{row.task_id}")):
        whole = await ctx.store.find(hub, f"{record.message_id}:voided")
        voided |= whole is not None
        cuts = [gone for _, gone in await cuts_of(ctx, record.message_id) if gone is not None]
        for signed in [whole, *cuts] if whole is not None else cuts:
            total += cents(Overpayment.model_validate_json(signed.payload).recovered_amount)
    if row.status == RecoveryStatus.voided.value and not voided:
        total += row.recovered_cents  # voided with no record re-signed: its recovered total
    return total
