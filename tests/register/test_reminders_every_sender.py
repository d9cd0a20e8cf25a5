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
from reminderkit import current_and_replayed, delivered_by_the_hub

from certhub.hub.core.keys import NOTICE_SENDER, STORE
from certhub.hub.delivery.notices import LoggingNoticeSender


async def test_the_logging_sender_withdraws_a_stale_reminder(office_db: Office) -> None:
    office = office_db
    app = office.client.app
    store, logged = app[STORE], app[NOTICE_SENDER]
    assert isinstance(logged, LoggingNoticeSender)  # the embedded default's sender
    current, replayed = await current_and_replayed(office)
    await delivered_by_the_hub(office, [current.notice_id, replayed.notice_id])
    assert {n for n in logged.sent if n.startswith("reminder:")} == {current.notice_id}
    assert await store.pending_notices(100) == []  # withdrawn: delivered, nothing sent
