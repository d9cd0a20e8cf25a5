"""The register's reminder tests' people and gateway: pensioners due next month, the digest
a reminder's id names them by, and an SMS gateway that keeps what it was asked to send."""

from __future__ import annotations

import hashlib
from typing import Any

from procedurekit import Office, today

from certhub.adapters import Notification
from certhub.adapters.types import NotificationReceipt
from certhub.hub.rules.months import month_index, month_label


async def due_next_month(office: Office, count: int) -> list[dict[str, Any]]:
    """``count`` new pensioners on the roster with a mobile number, each certified in the app
    on the 15th of M(-11): covered M(-10)..M(+1), due M(+1), so this month is the first of
    their two reminder slots."""
    certified = f"{month_label(month_index(today()) - 11)}-15T10:00:00+08:00"
    people = [office.people.person() for _ in range(count)]
    for person in people:
        await office.roster(person, contact_mobile="13800138000")
        await office.certified_in_app(person, certified)
    return people


def who(person_id: str) -> str:
    """The digest a reminder's delivery id names the person by, computed apart."""
    return hashlib.sha256(person_id.encode()).hexdigest()[:20]


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
