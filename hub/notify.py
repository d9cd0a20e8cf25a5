"""Sending the procedure's SMS notices through the transactional outbox.

Notices are written in the same transaction as the decision that causes
them, each with an ``sms`` outbox row, so none is lost; :mod:`hub.delivery`
sends them through a :class:`Notifier` and records each notice id once
delivered. A notifier must be idempotent by notice id too (the SMS gateway
adapter is), so a crash between sending and recording never texts a
pensioner twice.
"""

from __future__ import annotations

import logging
from typing import Protocol

from schemas import mask_ids_in_text

log = logging.getLogger(__name__)


class Notifier(Protocol):
    """Delivers one SMS; calling it again with the same ``notice_id`` sends nothing new."""

    async def send(self, notice_id: str, person_id: str, text: str) -> None:
        """Send ``text`` to the phone registered for ``person_id``."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


class LoggingNotifier:
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


class NoticeDispatcher(Protocol):
    """What the API needs of the delivery machinery (:mod:`hub.delivery`)."""

    def wake(self) -> None:
        """A commit queued deliveries (an SMS notice, an uplink): relay them now."""
        ...

    async def drain(self) -> int:
        """Deliver every due delivery now; how many were delivered."""
        ...
