"""Procedure notices to pensioners: over the department that plays the notifier role (SMS),
or only logged (the embedded default).

A notice's outbox row holds the person and the text; the mobile number is
looked up in the roster only when the notice is sent, so a number corrected
meanwhile is the one used. A certification reminder is checked against the register
then too, and withdrawn (nothing sent) once it would be wrong
(:func:`certhub.hub.rules.notices.reminder_withdrawn`), and so is a 免办 notice ("nothing
to do") whose certification its department's void withdrew or whose pensioner the ledger
now holds back from 免办 (a death found since: the comparison's holds), and a family's termination
notice ("claim the funeral grant") whose termination is voided
(:func:`~certhub.hub.rules.notices.termination_withdrawn`): by :class:`NoticesChecked`,
in front of whichever sender the hub delivers through (the gateway's, the logging one,
one a deployment provides), so none sends a stale one.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from certhub.adapters import Notification, Notifier
from certhub.hub.delivery.notify import NoticeSender
from certhub.hub.rules.comparison import MACHINE_REPORTER, exempt_notice_certification
from certhub.hub.rules.decisions import UNDER_REVIEW
from certhub.hub.rules.months import month_index
from certhub.hub.rules.notices import (
    TERMINATION_PREFIX,
    first_notice,
    notice_waits,
    notice_withdrawn_for_good,
    reminder_due_month,
    reminder_until_month,
    reminder_withdrawn,
    termination_notice_task,
    termination_withdrawn,
)
from certhub.hub.store import LedgerStore
from certhub.hub.store.outbox_changes import WITHDRAWN
from certhub.schemas import BenefitRecord, mask_ids_in_text
from certhub.schemas.clock import shanghai_today

log = logging.getLogger(__name__)


class NoContact(Exception):
    """The roster has no mobile number for the person; the notice waits for one."""


class FirstNoticeWaiting(Exception):
    """A family's termination notice queued again waits for the first to be delivered
    (sent, or withdrawn): retried later, so the family is told once."""


class SmsNoticeSender:
    """The hub's :class:`~certhub.hub.delivery.notify.NoticeSender` over the SMS gateway adapter."""

    def __init__(self, gateway: Notifier, store: LedgerStore) -> None:
        """Send through ``gateway``; look numbers up in ``store``'s roster."""
        self._gateway = gateway
        self._store = store

    async def send(self, notice_id: str, person_id: str, text: str) -> None:
        """Send once per ``notice_id`` (the gateway is idempotent by it)."""
        snapshot = await self._store.get_roster(person_id)
        mobile = BenefitRecord.model_validate_json(snapshot).contact_mobile if snapshot else None
        if mobile is None:
            raise NoContact(f"no registered mobile number for notice {notice_id}")
        await self._gateway.notify(
            Notification(notification_id=notice_id, mobile=mobile, text=text)
        )

    async def aclose(self) -> None:
        """The departments own the gateway's connection."""


class LoggingNoticeSender:
    """The embedded default: records what would be sent, and logs it (masked)."""

    def __init__(self) -> None:
        """Start with nothing sent."""
        self.sent: dict[str, str] = {}

    async def send(self, notice_id: str, person_id: str, text: str) -> None:
        """Remember the text once per notice id and log it."""
        if notice_id in self.sent:
            return
        self.sent[notice_id] = text
        log.info("sms sent", extra={"notice_id": notice_id, "text": mask_ids_in_text(text)})

    async def aclose(self) -> None:
        """Nothing to release."""


class NoticesChecked:
    """``sender`` with every certification reminder, 免办 notice and family's termination
    notice checked against the ledger when it is sent: one that would now be wrong is
    withdrawn instead (logged, nothing sent)."""

    def __init__(self, sender: NoticeSender, store: LedgerStore, hub_id: str) -> None:
        """Send through ``sender``; read the register, tasks, reports and the records the
        hub (``hub_id``) signed in ``store``."""
        self._sender = sender
        self._store = store
        self._hub_id = hub_id

    async def send(self, notice_id: str, person_id: str, text: str) -> None:
        """Send through the sender, unless the notice is withdrawn.

        A notice withdrawn is recorded so (delivered under ``withdrawn``, audit
        ``notice_withdrawn``) before anything else, so the audit never says it was sent; for
        a family's termination notice the rejection of the termination's restoration queues
        it again, sent only if the first was not.

        Raises:
            FirstNoticeWaiting: a termination notice queued again, the first not delivered.
        """
        if (why := await self.withdrawn(notice_id, person_id)) is not None:
            log.info("notice withdrawn", extra={"notice_id": notice_id, "why": why})
            await self._store.mark_delivered(notice_id, WITHDRAWN, datetime.now(UTC))
            return
        await self._sender.send(notice_id, person_id, text)

    async def withdrawn(self, notice_id: str, person_id: str) -> str | None:
        """Why a certification reminder, a 免办 notice or a family's termination notice must
        not go out now (None: send it, or none of them)."""
        if (certification := exempt_notice_certification(notice_id)) is not None:
            return await self._exempt_withdrawn(certification, person_id)
        if (task := termination_notice_task(notice_id)) is not None:
            return await self._termination_withdrawn(notice_id, task, person_id)
        due = reminder_due_month(notice_id)
        if due is None:
            return None
        row = await self._store.register_person(person_id)
        return reminder_withdrawn(
            due,
            status=row.roster_status if row else None,
            due_month=row.due_month if row else None,
            closed=await self._store.closed_benefit(person_id) is not None,
            verifying=await self._store.reminder_held(person_id),
            month=month_index(shanghai_today()),
            until=reminder_until_month(notice_id),
        )

    async def _termination_withdrawn(self, notice_id: str, task: str, person_id: str) -> str | None:
        """Why the family's termination notice ``notice_id`` of ``task`` must not go out:
        the first withdrawn already, or sent (for the one queued again), or the termination
        not standing now."""
        first = first_notice(await self._store.delivered_as(TERMINATION_PREFIX + task), WITHDRAWN)
        if notice_waits(notice_id, first):
            raise FirstNoticeWaiting(f"notice {notice_id} waits for the first to be delivered")
        if (why := notice_withdrawn_for_good(notice_id, first)) is not None:
            return why
        closure = await self._store.closed_benefit(person_id)
        proposal = await self._store.find(self._hub_id, f"restoration-proposal:{task}")
        item = await self._store.get_item(proposal.sequence) if proposal else None
        restoring = item is not None and item.status in UNDER_REVIEW
        closed_by = closure[1] if closure else None
        return termination_withdrawn(task, closed_by=closed_by, restoring=restoring)

    async def _exempt_withdrawn(self, certification: str, person_id: str) -> str | None:
        """Why the 免办 notice of ``certification`` must not go out: it no longer counts in
        the register (its department voided the records it cites: telling the pensioner
        nothing is needed would keep them from certifying), or the ledger now holds the
        pensioner back as the recording would have (a death task opened by a later month's
        feed, the hub's termination, …: the family of a pensioner found dead is not told
        that nothing is needed)."""
        record = await self._store.find(MACHINE_REPORTER, certification)
        if record is None:
            return None
        counted = {row.sequence for row in await self._store.register_certifications(person_id)}
        if record.sequence not in counted:
            return "the 免办 certification it announces was withdrawn (its records voided)"
        # The holds the recording asked before certifying (no 免办 SMS to anyone they hold),
        # asked again now: the notice may have waited in the outbox past a later run.
        held = (await self._store.certification_holds([person_id])).get(person_id)
        if held is not None:
            return f"the pensioner is held back from 免办 now ({held[0]}: {held[1]})"
        return None

    async def aclose(self) -> None:
        """Nothing of its own: the sender's owner closes it."""
