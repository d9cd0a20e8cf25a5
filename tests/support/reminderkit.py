"""The register's reminder tests' people and gateway: pensioners due next month, the
reminders waiting named by their person, an SMS gateway that keeps what it was asked to
send, and the hub's SMS sender over it behind the checks made at send; every SMS waiting
delivered now."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from procedurekit import Office, today

from certhub.adapters import Notification
from certhub.adapters.types import NotificationReceipt
from certhub.hub.core.keys import NOTICE_SENDER, OUTBOX_DELIVERY, PROCEDURE, STORE
from certhub.hub.delivery.notices import NoticesChecked, SmsNoticeSender
from certhub.hub.register.reminders import reminder_notice
from certhub.hub.rules.months import month_index, month_label
from certhub.hub.store.effects import NoticeWrite
from certhub.schemas.clock import shanghai_today


def relaying_nothing() -> dict[str, Any]:
    """Settings of an office that relays nothing (the HTTP API's role only): the reminders a
    test's sweep queues stay in the outbox for it to read. An office of every role delivers
    them behind the test's back, within one poll of its relay (0.5 s) or at once when a
    request commits, and its logging sender then takes them out of ``pending_notices``."""
    return {"role": "ingress"}


async def due_in(office: Office, count: int, due: int) -> list[dict[str, Any]]:
    """``count`` new pensioners on the roster with a mobile number, each certified in the app
    on the 15th of M(due-12): covered M(due-11)..M(due), due M(``due``)."""
    certified = f"{month_label(month_index(today()) + due - 12)}-15T10:00:00+08:00"
    people = [office.people.person() for _ in range(count)]
    for person in people:
        await office.roster(person, contact_mobile="13800138000")
        await office.certified_in_app(person, certified)
    return people


async def due_next_month(office: Office, count: int) -> list[dict[str, Any]]:
    """:func:`due_in` M(+1): certified on the 15th of M(-11), covered M(-10)..M(+1), so this
    month is the first of their two reminder slots."""
    return await due_in(office, count, 1)


def named(notice_id: str, person_id: str) -> str:
    """A reminder's notice id with the random token that stands for its person replaced by
    the person's ID number (``reminder:<due>:<slot>:<ID number>[:<until>]``), so a test can
    write the reminders it expects; the person is the notice row's (``pending_notices``)."""
    parts = notice_id.split(":")
    parts[3] = person_id
    return ":".join(parts)


async def reminders_waiting(office: Office) -> dict[str, str]:
    """The certification reminders waiting in the outbox, :func:`named`: text by id."""
    pending = await office.client.app[STORE].pending_notices(1000)
    return {named(n[0], n[1]): n[3] for n in pending if n[0].startswith("reminder:")}


class Gateway:
    """An SMS gateway that keeps what it was asked to send."""

    def __init__(self) -> None:
        """Nothing sent yet."""
        self.sent: list[Notification] = []

    async def notify(self, notification: Notification) -> NotificationReceipt:
        """Keep ``notification``; a receipt of one segment."""
        self.sent.append(notification)
        return NotificationReceipt(
            notification_id=notification.notification_id, gateway_id="g", segments=1
        )

    async def aclose(self) -> None:
        """Nothing to close."""


async def sent_through_checks(office: Office, notices: Iterable[Any]) -> list[str]:
    """The ids of ``notices`` (rows of ``pending_notices``: id, person, kind, text) that the
    hub's SMS sender, behind the checks every sender gets at send (:class:`NoticesChecked`),
    gave a recording :class:`Gateway`, in order."""
    app = office.client.app
    gateway = Gateway()
    sender = NoticesChecked(
        SmsNoticeSender(gateway, app[STORE]), app[STORE], app[PROCEDURE].outcomes.hub_id
    )
    for notice_id, person_id, _, text in notices:
        await sender.send(notice_id, person_id, text)
    return [n.notification_id for n in gateway.sent]


async def delivered(office: Office) -> None:
    """Every SMS waiting in the outbox delivered now, through the checks of the hub's
    senders (the relay may hold one for a lease an earlier office took): what a refusal
    leaves unchanged is not counted while a delivery is recorded."""
    app = office.client.app
    store = app[STORE]
    sender = NoticesChecked(app[NOTICE_SENDER], store, app[PROCEDURE].outcomes.hub_id)
    for notice_id, person_id, _, text in await store.pending_notices(100):
        if not await store.is_delivered(notice_id):
            await sender.send(notice_id, person_id, text)
            await store.mark_delivered(notice_id, "sms", datetime.now(UTC))


async def delivered_by_the_hub(
    office: Office, notice_ids: Iterable[str], within: float = 10.0
) -> None:
    """Each of ``notice_ids`` delivered by the hub's own dispatcher (its senders as it wires
    them): what its relay has not claimed is drained now, what the relay claimed first (drain
    skips a row under its lease) is waited for, ``within`` seconds at most."""
    app = office.client.app
    await app[OUTBOX_DELIVERY].drain()
    async with asyncio.timeout(within):
        for notice_id in notice_ids:
            # the relay's dispatch sets no event to await: polled, bounded above
            while not await app[STORE].is_delivered(notice_id):  # noqa: ASYNC110
                await asyncio.sleep(0.02)


async def current_and_replayed(office: Office) -> tuple[NoticeWrite, NoticeWrite]:
    """Two reminders queued: this month's first slot for a pensioner certified in the app on
    the 15th of M(-11) (due M(+1)), and the last slot of M(-1) for one certified on the 15th
    of M(-13) (overdue), as if replayed from the dead letters: the first goes out, the
    second is withdrawn at send."""
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
    return current, replayed
