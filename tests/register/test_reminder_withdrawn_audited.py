"""A reminder withdrawn at send is audited as withdrawn, not as an SMS sent.

Two reminders wait in the outbox: this month's first slot for a pensioner due next month,
and the last slot of M(-1) for one overdue, replayed from the dead letters. The hub's
dispatcher delivers both; only the first reaches a phone. Before, the withdrawn one was
recorded like the other (delivered under ``sms``, audit ``notice_sent``): the audit trail
told an auditor the pensioner had been sent an SMS no one sent. A family's termination
notice withdrawn was already recorded as ``withdrawn`` (``notice_withdrawn``).
"""

from __future__ import annotations

from procedurekit import Office
from reminderkit import delivered_by_the_hub, due_next_month

from certhub.hub.core.keys import STORE
from certhub.hub.register.reminders import reminder_notice
from certhub.hub.rules.months import month_index, month_label
from certhub.hub.store.outbox_changes import WITHDRAWN
from certhub.schemas.clock import shanghai_today


async def test_a_withdrawn_reminder_is_audited_as_withdrawn_not_sent(office: Office) -> None:
    store = office.client.app[STORE]
    now = month_index(shanghai_today())
    (living,) = await due_next_month(office, 1)
    overdue = office.people.person()
    await office.roster(overdue, contact_mobile="13800138000")
    await office.certified_in_app(overdue, f"{month_label(now - 13)}-15T10:00:00+08:00")
    current = reminder_notice(living["id_number"], living["name"], now + 1, 1)
    replayed = reminder_notice(overdue["id_number"], overdue["name"], now - 1, 2)
    assert await store.queue_reminder(current, due=now + 1, slot=1)
    assert await store.queue_reminder(replayed, due=now - 1, slot=2)
    await delivered_by_the_hub(office, [current.notice_id, replayed.notice_id])

    assert await store.delivered_as(current.notice_id) == "sms"
    assert await store.delivered_as(replayed.notice_id) == WITHDRAWN
    audit = await store.audit_entries(0, 1_000_000)
    sent, withdrawn = (
        [e.action for e in audit if e.subject == n.notice_id] for n in (current, replayed)
    )
    assert "notice_sent" in sent
    assert ("notice_sent" in withdrawn, "notice_withdrawn" in withdrawn) == (False, True)
