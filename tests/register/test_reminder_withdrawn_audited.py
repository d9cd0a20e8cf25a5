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
from reminderkit import current_and_replayed, delivered_by_the_hub

from certhub.hub.core.keys import STORE
from certhub.hub.store.outbox_changes import WITHDRAWN


async def test_a_withdrawn_reminder_is_audited_as_withdrawn_not_sent(office: Office) -> None:
    store = office.client.app[STORE]
    current, replayed = await current_and_replayed(office)
    await delivered_by_the_hub(office, [current.notice_id, replayed.notice_id])

    assert await store.delivered_as(current.notice_id) == "sms"
    assert await store.delivered_as(replayed.notice_id) == WITHDRAWN
    audit = await store.audit_entries(0, 1_000_000)
    sent, withdrawn = (
        [e.action for e in audit if e.subject == n.notice_id] for n in (current, replayed)
    )
    assert "notice_sent" in sent
    assert ("notice_sent" in withdrawn, "notice_withdrawn" in withdrawn) == (False, True)
