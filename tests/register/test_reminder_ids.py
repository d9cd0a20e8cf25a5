"""A certification reminder's id tells the SMS gateway nothing about the pensioner's ID number.

The id is the gateway's idempotency key (``Notification.notification_id``), and it is
written to the hub's logs and dead letters, where ID numbers are masked. Before, it named
the person by ``sha256(ID number)[:20]``: a Guangdong ID number is a county code, a birth
date, a sequence number and a check digit, a few billion candidates, so anyone holding
the id (the gateway's operator, a reader of the logs) could hash them all and find the
number. Now the person is a random token: two reminders for one person share nothing
derived from the number, and the slot is still claimed once (the register row).
"""

from __future__ import annotations

import hashlib

from procedurekit import Office, today
from reminderkit import due_next_month, sent_through_checks

from certhub.hub.core.keys import STORE
from certhub.hub.register.reminders import ReminderSweep, reminder_notice


def _digests(id_number: str) -> set[str]:
    """What an attacker holding the id would compare it with: hex digests of the number
    (whole and the usual truncations), computed here, apart from the hub."""
    number = id_number.encode()
    whole = {hashlib.new(name, number).hexdigest() for name in ("sha256", "sha1", "md5")}
    return whole | {digest[:length] for digest in whole for length in (16, 20, 24, 32)}


def test_the_id_holds_no_digest_of_the_number() -> None:
    id_number = "440103195001010012"
    ids = [reminder_notice(id_number, "张三", 24311, slot).notice_id for slot in (1, 2, 2)]
    for notice_id in ids:
        assert not set(notice_id.split(":")) & _digests(id_number), notice_id
    tokens = [notice_id.split(":")[3] for notice_id in ids]
    assert len(set(tokens)) == 3  # the same slot twice: not the same token either


async def test_the_gateway_gets_no_digest_of_the_number(office: Office) -> None:
    store = office.client.app[STORE]
    people = await due_next_month(office, 2)
    assert await ReminderSweep(store, per_cycle=2).sweep(today()) == 2
    assert await ReminderSweep(store, per_cycle=2).sweep(today()) == 0  # the slot is claimed
    pending = [n for n in await store.pending_notices(100) if n[0].startswith("reminder:")]
    sent = await sent_through_checks(office, pending)
    assert len(sent) == 2
    for person in people:
        for notification_id in sent:
            assert not set(notification_id.split(":")) & _digests(person["id_number"])
