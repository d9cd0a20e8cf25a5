"""Sending the procedure's SMS notices: an outbox in the ledger, drained by a dispatcher.

Notices are written in the same transaction as the decision that causes
them, so none is lost; the dispatcher sends pending ones through a
:class:`Notifier` and marks them sent. A notifier must be idempotent by
notice id (the SMS gateway adapter is), so a crash between sending and
marking never texts a pensioner twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from hub.store import LedgerStore
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


class NoticeDispatcher:
    """Drains the notice outbox through a notifier, retrying failures on the next round."""

    def __init__(self, store: LedgerStore, notifier: Notifier, *, interval: float = 1.0) -> None:
        """Poll every ``interval`` seconds, or sooner when :meth:`wake` is called."""
        self._store = store
        self._notifier = notifier
        self._interval = interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for new notices now."""
        self._wake.set()

    async def drain(self) -> int:
        """Send every pending notice once; return how many were sent."""
        sent = 0
        for notice_id, person_id, _kind, text in await self._store.pending_notices(100):
            try:
                await self._notifier.send(notice_id, person_id, text)
                await self._store.mark_notice_sent(notice_id)
            except Exception as exc:  # a background sender must outlive any one failure
                log.warning("notice %s not sent yet: %s", notice_id, exc)
                break
            sent += 1
        return sent

    async def run(self) -> None:
        """Drain until cancelled."""
        while True:
            await self.drain()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
