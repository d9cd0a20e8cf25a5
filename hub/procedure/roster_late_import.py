"""Months a bulk roster import shows paid after a termination or a suspension the hub signed:
added to the task's overpayment, as a pushed roster entry's are (rule 6, money safety).

``certhub roster import`` writes the roster in bulk, past the intake planner, so the rule
of :mod:`~certhub.hub.procedure.late_roster` is applied after the rows are in: one query
finds the people whose benefit the hub closed, or suspended on a confirmed imprisonment or
disappearance, and whose roster entry is this import's
(:meth:`~certhub.hub.store.base.BenefitReads.closed_imported`; they are a few, whatever the
roster's size), and each one's entry goes through
:func:`~certhub.hub.procedure.late_roster.late_payments_from` — the same months, claimed
by (person, month), the same balance opened or grown. What it adds is appended as the
hub's own records (the first further overpayment record carries the effects, like a
task deadline's notice): signed, audited, in one transaction per person. Importing again
adds nothing (the months are claimed); a balance grown meanwhile by the hub running
beside (PostgreSQL) is a conflict, and that person is left as it stands.
"""

from __future__ import annotations

from dataclasses import replace

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.late_roster import late_payments_from
from certhub.hub.store.base import Conflict, ReplayConflict
from certhub.hub.store.effects import no_receipt
from certhub.schemas import BenefitRecord

__all__ = ["imported_late_payments"]


async def imported_late_payments(ctx: ProcedureContext, as_of: str, actor: str) -> int:
    """Add to their tasks' overpayments the months the roster import as of ``as_of`` (by
    ``actor``, the audit's) shows paid after a termination or a standing suspension; how
    many overpayments grew (opened or grown)."""
    grown = 0
    for person in await ctx.store.closed_imported(as_of):
        stored = await ctx.store.get_roster(person)
        if stored is None:  # pragma: no cover - the query joined its roster entry
            continue
        effects = await late_payments_from(ctx, actor, BenefitRecord.model_validate_json(stored))
        if not effects.outcomes:
            continue
        first, *rest = effects.outcomes
        try:
            made = await ctx.store.append(
                first.as_message(ctx.clock()), no_receipt, replace(effects, outcomes=tuple(rest))
            )
        except (Conflict, ReplayConflict):  # the hub beside us added them first
            continue
        grown += made.created
    return grown
