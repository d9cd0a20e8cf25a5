"""A stale certification reminder is withdrawn whichever sender the hub delivers notices
through: the SMS gateway's, the embedded demo's logging sender, one a deployment provides.

One pensioner certified in the app on the 15th of M(-11) (due M(+1)), one on the 15th of
M(-13) (due M(-1): overdue). Each has a reminder waiting in the outbox: this month's first
slot "须在M(+1)月底前完成", and the last slot of M(-1) "须在M(-1)月底前完成", queued then
and replayed now from the dead letters. Delivered by the hub with the embedded default's
logging sender (no notifier department): before, both were "sent" (the demo logged an SMS
asking to certify by a month already over, where the SMS path withdrew it); now the
withdrawal is checked once, in front of every sender: only this month's goes out, the other
is delivered with nothing sent.
"""

from __future__ import annotations

from procedurekit import Office
from reminderkit import delivered_by_the_hub, due_next_month

from certhub.hub.core.keys import NOTICE_SENDER, STORE
from certhub.hub.delivery.notices import LoggingNoticeSender
from certhub.hub.register.reminders import reminder_notice
from certhub.hub.rules.months import month_index, month_label
from certhub.schemas.clock import shanghai_today


async def test_the_logging_sender_withdraws_a_stale_reminder(office_db: Office) -> None:
    office = office_db
    app = office.client.app
    store, logged = app[STORE], app[NOTICE_SENDER]
    assert isinstance(logged, LoggingNoticeSender)  # the embedded default's sender
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
    assert {n for n in logged.sent if n.startswith("reminder:")} == {current.notice_id}
    assert await store.pending_notices(100) == []  # withdrawn: delivered, nothing sent
