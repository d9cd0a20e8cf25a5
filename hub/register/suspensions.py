"""Overdue → a suspension *proposal* for a person to confirm, never an automatic stop.

Every six hours the sweep finds active pensioners past their due month whose
``liable_from`` has come (the day after the due month, plus
``CERTHUB_REGISTER_GRACE_MONTHS``) and records for each one
``suspension_proposal/v1``, signed by the hub and opened as an item under
review: town staff accept it, the county approves or rejects it
(``POST /v1/suspension-proposals/{item}/decisions``); only the approval makes
the hub sign the suspension (:mod:`certhub.hub.procedure.register_suspension`).
One proposal per person and due month (its message id), so a rejected one is
not proposed again for the same cycle — unless a restoration ended the suspension it
made and the pensioner is overdue for the cycle again (the certification the restoration
rested on withdrawn by its department): proposed again, liable from the month payment
resumed in; or it was rejected because the pensioner certified after it and that
certification has been withdrawn since: proposed again, liable as before. A pensioner who
never passed a certification the hub knows of has no due month and is not proposed (the
overdue list shows them as ``not_certified``), nor is one whose benefit the hub's
closure stops (listed overdue while its restoration is under review), nor one of whom a
death, imprisonment, disappearance or loss of nationality reported before they became
liable is still being verified (their reminders held:
:data:`~certhub.hub.rules.notices.REMINDER_HOLDS`); found alive, they are liable from the
1st of the second month after the clearance at the earliest (:func:`liable_after`);
confirmed, the task stopped the benefit itself: no proposal while the hub's suspension of
an imprisonment or disappearance stands (no approved restoration since). A later
certification is restored through the existing restoration request (rule 7).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial

from aiohttp import web

from certhub.hub.core.keys import LEADERSHIP, PROCEDURE, SETTINGS, STORE
from certhub.hub.core.periodic import every
from certhub.hub.procedure.outcomes import OutcomeSigner
from certhub.hub.procedure.register_suspension import (
    cycle_proposal,
    proposal_message_id,
    rejected_then_withdrawn,
    restored_from,
)
from certhub.hub.rules.cycle import held_liability
from certhub.hub.rules.decisions import ItemKind
from certhub.hub.rules.months import month_index, month_label, parse_month
from certhub.hub.store import Conflict, LedgerStore, ReplayConflict
from certhub.hub.store.effects import AuditWrite, Effects, ItemOpen, no_receipt
from certhub.hub.store.register_reads import PersonRegister, RegisterList, RegisterQuery
from certhub.schemas import PersonRef, RegionRef, SuspensionProposal
from certhub.schemas.clock import CHINA_STANDARD_TIME, shanghai_today

__all__ = ["ProposalSweep", "liable_after", "proposal_context"]

log = logging.getLogger(__name__)

BATCH = 500
SWEEP_SECONDS = 6 * 3600.0
FIRST_SWEEP_SECONDS = 300.0
"""The register's sweeps (proposals, reminders) run first this long after a process starts
leading, not one interval after: a leader restarted (deployed, moved) more often than every
six hours never swept. Sweeps are idempotent (claimed per person and cycle), so an extra
round costs a read; the wait keeps a process that leads only for moments (a test's hub, one
started by a CLI command) from sweeping at all."""


class ProposalSweep:
    """Records the suspension proposals that are due, each once."""

    def __init__(self, store: LedgerStore, outcomes: OutcomeSigner, *, grace_months: int) -> None:
        """Sweep ``store``; sign with ``outcomes``."""
        self._store = store
        self._outcomes = outcomes
        self._grace = grace_months

    async def sweep(self, today: date, now: datetime | None = None) -> int:
        """Propose every pensioner liable to suspension on ``today``; how many were proposed."""
        at = now or datetime.now(UTC)
        # overdue with liable_from <= today: due month + 1 + grace <= this month
        query = RegisterQuery(
            RegisterList.OVERDUE, after="", limit=BATCH, month_from=month_index(today) - self._grace
        )
        proposed = 0
        while True:
            rows = await self._store.register_page(query)
            liable = await liable_after(self._store, rows, self._grace)
            for row in rows:
                proposed += await self._propose(row, at, today, liable.get(row.person_id))
            if len(rows) < BATCH:
                return proposed
            query = replace(query, after=rows[-1].person_id)

    async def _propose(
        self, row: PersonRegister, at: datetime, today: date, liable: date | None
    ) -> int:
        person = _person(row)
        # no due month; or being verified (confirmed, it ends or stops the benefit; cleared,
        # liable later: liable_after)
        if row.due_month is None or person is None or liable is None:
            return 0
        hub = self._outcomes.hub_id
        message_id = proposal_message_id(row.due_month, row.person_id)
        latest = await cycle_proposal(self._store, hub, row.due_month, row.person_id)
        if latest is not None:  # proposed already for this cycle (whatever was decided) ...
            resumed = await restored_from(self._store, hub, latest, row.person_id)
            if resumed is None and not await rejected_then_withdrawn(
                self._store, latest, row.person_id
            ):
                return 0
            # ... but a restoration ended its suspension, or a certification after it made
            # the county reject it, and the pensioner is overdue for the cycle again: the
            # certification was withdrawn (money safety: before, paid on for ever with no
            # proof of life). Liable from the resumption; rejected, from the day it was.
            message_id = proposal_message_id(row.due_month, row.person_id, latest.sequence)
            if resumed is not None:
                liable = max(liable, parse_month(resumed))
        # not yet liable (a verification holding the reminders cleared them lately), or the
        # hub's closure stops payment (its restoration under review), or its suspension on a
        # confirmed imprisonment or disappearance does (the task stopped the benefit itself)
        if liable > today or await self._store.closed_benefit(row.person_id) is not None:
            return 0
        if await self._store.stopped_by_task(row.person_id) is not None:
            return 0
        proposal = SuspensionProposal(
            person=person,
            due_month=month_label(row.due_month),
            liable_from=liable,
            last_certified_on=date.fromisoformat(row.last_on) if row.last_on else None,
            last_certification_sequence=row.last_sequence,
            proposed_at=at,
        )
        record = self._outcomes.record(
            proposal, message_id=message_id, person=person, reason="not_certified", at=at
        )
        audit = AuditWrite("suspension_proposed", message_id, self._outcomes.hub_id, record.sha256)
        effects = Effects(item=ItemOpen(ItemKind.SUSPENSION), audit=(audit,))
        try:
            made = await self._store.append(record.as_message(at), no_receipt, effects)
        except (Conflict, ReplayConflict):  # another process proposed it first
            return 0
        return 1 if made.created else 0

    async def sweep_now(self) -> None:
        """Sweep for today."""
        proposed = await self.sweep(shanghai_today())
        if proposed:
            log.info("suspension proposals recorded: %d", proposed)


async def liable_after(
    store: LedgerStore, rows: Sequence[PersonRegister], grace_months: int
) -> dict[str, date | None]:
    """The day each of ``rows``' pensioners with a due month is liable to suspension from:
    the due month's, unless a verification that held their reminders, begun before it,
    cleared them later (None while it is on): :func:`~certhub.hub.rules.cycle.held_liability`;
    the sweep and the overdue list's ``liable_from`` alike (one read a page)."""
    dues = {row.person_id: row.due_month for row in rows if row.due_month is not None}
    holds = await store.reminder_holds(list(dues))
    return {
        person: held_liability(
            due,
            grace_months,
            [(_day(b), None if c is None else _day(c)) for b, c in holds.get(person, [])],
        )
        for person, due in dues.items()
    }


def _day(at: datetime) -> date:
    """The calendar day of ``at`` in China."""
    return at.astimezone(CHINA_STANDARD_TIME).date()


def _person(row: PersonRegister) -> PersonRef | None:
    """The person as the roster names them (None without a name or an area)."""
    if not row.name or not row.area:
        return None
    village = row.area if len(row.area) == 12 else None
    return PersonRef(
        id_number=row.person_id,
        name=row.name,
        region=RegionRef(county=row.area[:6], village=village),
    )


async def proposal_context(app: web.Application) -> AsyncIterator[None]:
    """Sweep suspension proposals every six hours for the life of the hub."""
    sweep = ProposalSweep(
        app[STORE], app[PROCEDURE].outcomes, grace_months=app[SETTINGS].register_grace_months
    )
    loop = partial(
        every, SWEEP_SECONDS, sweep.sweep_now, what="suspension proposals",
        first_after=FIRST_SWEEP_SECONDS,
    )  # fmt: skip
    async with app[LEADERSHIP].running("suspension-proposals", loop):  # one per deployment
        yield
