"""Certification reminders: an SMS to pensioners before their due month, at most N per cycle.

Every hour the sweep finds active pensioners due this month or in the next
``CERTHUB_REGISTER_REMINDERS_PER_CYCLE - 1`` months whose latest reminder slot
is still open (:mod:`certhub.hub.store.register_reminders`; none of whom a death,
imprisonment, disappearance or loss of nationality reported is being verified:
:data:`~certhub.hub.rules.notices.REMINDER_HOLDS`) and queues one
notice each through the notices outbox; the SMS goes to the mobile number the
roster registers for the person (the pensioner's or a family contact's) —
a notice waits while the roster has none (:mod:`certhub.hub.delivery.notices`).

A verification that held the reminders and cleared the person (found alive) late makes them
liable later (:func:`~certhub.hub.register.suspensions.liable_after`): the sweep finds them
past their due month too and reminds them in the slots before that later deadline
(:func:`reminder_deadline`), naming it — never more than ``per_cycle`` for the due month,
those sent before the hold counted.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from datetime import date
from functools import partial

from aiohttp import web

from certhub.hub.core.keys import LEADERSHIP, SETTINGS, STORE
from certhub.hub.core.periodic import every
from certhub.hub.register import suspensions
from certhub.hub.register.suspensions import liable_after
from certhub.hub.rules.months import month_index, month_label
from certhub.hub.rules.notices import masked_name
from certhub.hub.store import LedgerStore
from certhub.hub.store.effects import NoticeWrite
from certhub.hub.store.register_reads import PersonRegister
from certhub.schemas.clock import shanghai_today

__all__ = ["ReminderSweep", "reminder_context", "reminder_deadline", "reminder_notice"]

log = logging.getLogger(__name__)

BATCH = 500
KIND = "certification_reminder"


def reminder_notice(
    person_id: str, name: str | None, due: int, slot: int, until: int | None = None
) -> NoticeWrite:
    """The reminder for slot ``slot`` of due month ``due`` (month index); no ID number in it,
    nor anything computed from one: the id names the person by a random token.

    ``until``: the month by whose end to certify when later than ``due``
    (:func:`reminder_deadline`): the text names it, and so does the id after the usual
    ``reminder:<due>:<slot>:<who>`` (``:<until>``, read at send:
    :func:`~certhub.hub.rules.notices.reminder_until_month`).
    """
    later = until if until is not None and until > due else None
    year, month = month_label(later or due).split("-")
    text = (
        f"{masked_name(name) if name else ''}您好：您的城乡居民养老保险待遇领取资格认证"
        f"须在{year}年{int(month)}月底前完成。可通过掌上12333、广东人社、粤省事或到村（社区）"
        "服务点办理；如已认证请忽略本短信。"
    )
    # The id travels to the SMS gateway (its idempotency key), the logs and the dead letters.
    # A digest of the ID number would be the ID number: the province's 18-digit numbers
    # (region, birth date, sequence, check digit) are few enough to hash them all in
    # minutes. Nothing needs the id to be derivable: the slot is claimed on the person's
    # register row, and the notice row names the person.
    who = secrets.token_hex(10)
    notice_id = f"reminder:{month_label(due)}:{slot}:{who}"
    if later is not None:
        notice_id += f":{month_label(later)}"
    return NoticeWrite(notice_id, person_id, KIND, text)


def reminder_deadline(due: int, liable: date, grace_months: int) -> int:
    """The month (index) by whose end the pensioner due in ``due`` is asked to certify: the
    due month, or the month before the one they are liable from (``liable``, with
    ``grace_months`` of grace: :func:`~certhub.hub.register.suspensions.liable_after`)
    when a verification that held their reminders cleared them late. With no grace it ends
    the day before ``liable``; the grace is not announced, as for everyone else."""
    return max(due, month_index(liable) - grace_months - 1)


class ReminderSweep:
    """Queues the reminders that are due, each once."""

    def __init__(self, store: LedgerStore, *, per_cycle: int, grace_months: int = 0) -> None:
        """Sweep ``store``; at most ``per_cycle`` reminders per person and due month;
        ``grace_months`` as the suspension proposals' (the deadline a clearance moves)."""
        self._store = store
        self._per_cycle = per_cycle
        self._grace = grace_months

    async def sweep(self, today: date) -> int:
        """Queue every reminder due on ``today`` (China Standard Time); how many were queued."""
        if self._per_cycle == 0:
            return 0
        month, after, queued = month_index(today), "", 0
        while True:
            rows = await self._store.reminders_due(month, self._per_cycle, after, BATCH)
            liable = await liable_after(self._store, rows, self._grace)
            for row in rows:
                queued += await self._remind(row, month, liable.get(row.person_id))
            if len(rows) < BATCH:
                return queued
            after = rows[-1].person_id

    async def _remind(self, row: PersonRegister, month: int, liable: date | None) -> int:
        due = row.due_month
        # the query selects people with a due month, none being verified (None: held)
        if due is None or liable is None:
            return 0
        until = reminder_deadline(due, liable, self._grace)
        # slot k opens per_cycle - k months before the deadline month; counted under the
        # due month, so the slots a hold kept back are sent and those sent before it count
        slot = month - until + self._per_cycle
        if not 1 <= slot <= self._per_cycle:  # past the deadline, or not yet open
            return 0
        notice = reminder_notice(row.person_id, row.name, due, slot, until)
        return int(await self._store.queue_reminder(notice, due=due, slot=slot))

    async def sweep_now(self) -> None:
        """Sweep for today."""
        queued = await self.sweep(shanghai_today())
        if queued:
            log.info("certification reminders queued: %d", queued)


async def reminder_context(app: web.Application) -> AsyncIterator[None]:
    """Sweep reminders every hour for the life of the hub."""
    settings = app[SETTINGS]
    sweep = ReminderSweep(
        app[STORE],
        per_cycle=settings.register_reminders_per_cycle,
        grace_months=settings.register_grace_months,
    )
    # the first round after FIRST_SWEEP_SECONDS: a test's hub never sends one behind its back
    loop = partial(
        every, 3600.0, sweep.sweep_now, what="certification reminders",
        first_after=suspensions.FIRST_SWEEP_SECONDS,
    )  # fmt: skip
    async with app[LEADERSHIP].running("certification-reminders", loop):  # one per deployment
        yield
