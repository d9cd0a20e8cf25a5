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
task deadline's notice): signed, audited, in one transaction per person. The months it shows
paid after a stated end of sentence are claimed with them — and, when it adds no
overpayment (no record to carry them), on their own
(:meth:`~certhub.hub.store.register_writes.RegisterWriting.claim_imported_months`, while the
person's entry is still the one read): decided here (money safety), as a pushed entry's are;
before, a later rewrite of ``paid_through`` back let a restoration back-pay them again.
Importing again adds nothing (the months are claimed). Each append carries the person's
guard, as a pushed entry's (:mod:`~certhub.hub.store.person_guard`): a decision about the
person committed between the reads and the append (a recovery, a task re-signed, the hub
beside adding the months first) refuses it, and the person is planned again on what
committed (:data:`ATTEMPTS`).
"""

from __future__ import annotations

from dataclasses import replace

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.late_roster import late_payments_from
from certhub.hub.store.base import Conflict, ReplayConflict
from certhub.hub.store.effects import Effects, no_receipt
from certhub.schemas import BenefitRecord

__all__ = ["ATTEMPTS", "imported_late_payments"]


ATTEMPTS = 5
"""Plans of one person's months before the import gives up (each after a decision committed
between its reads and its append): then the import fails, and importing again adds them."""


async def imported_late_payments(ctx: ProcedureContext, as_of: str, actor: str) -> int:
    """Add to their tasks' overpayments the months the roster import as of ``as_of`` (by
    ``actor``, the audit's) shows paid after a termination or a standing suspension; how
    many overpayments grew (opened or grown).

    Raises:
        Conflict: a person's ledger moved under each of :data:`ATTEMPTS` plans.
        ReplayConflict: the same, a record of the same id signed beside (PostgreSQL).
    """
    grown = 0
    for person in await ctx.store.closed_imported(as_of):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                grown += await _added(ctx, person, actor)
                break
            except (Conflict, ReplayConflict):
                # a decision committed after the reads (a recovery, a void, the hub's own
                # months beside): planned again on what committed, as a pushed entry's sender
                # retries — decided here (money safety): before, the person was left as it
                # stood and the months the import showed paid were never recovered
                if attempt == ATTEMPTS:
                    raise
    return grown


async def _added(ctx: ProcedureContext, person: str, actor: str) -> int:
    """The months ``person``'s imported entry shows paid after a termination or a standing
    suspension, added (1: a balance opened or grown) under the person's guard."""
    # read before the rest: refused at the write when a decision about the person committed
    # meanwhile (person_guard); the months alone are claimed only while the entry is this one
    guard = await ctx.store.person_guard(person)
    stored = await ctx.store.get_roster(person)
    if stored is None or guard.roster is None:  # pragma: no cover - the query joined it
        return 0
    effects = await late_payments_from(ctx, actor, BenefitRecord.model_validate_json(stored))
    if not effects.outcomes:  # no overpayment: the months paid after a sentence alone
        await _claimed(ctx, effects, guard.roster, actor)
        return 0
    first, *rest = effects.outcomes
    made = await ctx.store.append(
        first.as_message(ctx.clock()),
        no_receipt,
        replace(effects, outcomes=tuple(rest), person_guard=guard),
    )
    return int(made.created)


async def _claimed(ctx: ProcedureContext, effects: Effects, entry: bytes, actor: str) -> None:
    """Claim as paid the months the imported entry (``entry``, as stored) shows paid after a
    stated end of sentence when it adds no overpayment (no record to carry them): without them
    a rewrite of ``paid_through`` back let a restoration back-pay them again."""
    if effects.months:
        await ctx.store.claim_imported_months(effects.months, entry, actor)
