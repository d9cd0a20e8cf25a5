"""The in-process broker of the embedded default: a bounded queue between relay and workers.

Nothing in it is durable, and nothing needs to be: the relay claims outbox
rows with a lease and only the dispatcher's "delivered" record closes a row,
so after a crash the lease ends and the row is published again. The queue is
bounded, so a slow department stalls the relay instead of filling memory.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from certhub.hub.core.periodic import WorkQueue
from certhub.hub.delivery.broker import Envelope, Handler

log = logging.getLogger(__name__)


class InProcessBroker:
    """A bounded asyncio queue drained by ``concurrency`` worker tasks."""

    def __init__(self, *, concurrency: int, capacity: int | None = None) -> None:
        """Run ``concurrency`` consumers; hold at most ``capacity`` envelopes (2 × by default)."""
        self._queue: WorkQueue[Envelope] = WorkQueue(capacity or 2 * concurrency)
        self._concurrency = concurrency

    @property
    def durable(self) -> bool:
        """No: the outbox lease covers a crash."""
        return False

    async def start(self, destinations: Collection[str], handler: Handler | None) -> None:
        """Start the consumers (every destination shares them)."""
        if handler is not None:
            self._queue.start(self._concurrency, handler, _not_handled)

    async def publish(self, envelope: Envelope) -> None:
        """Queue ``envelope``; waits while the queue is full (back-pressure on the relay)."""
        await self._queue.put(envelope)

    async def ping(self) -> str:
        """Always usable; reports the queue depth."""
        return f"in-process, {self._queue.qsize()} queued"

    async def aclose(self) -> None:
        """Stop the consumers; queued envelopes are re-claimed from the outbox later."""
        await self._queue.stop()


async def _not_handled(envelope: Envelope) -> None:
    # the outbox lease brings it back: nothing more to do here than say so
    log.exception("delivery %s not handled", envelope.delivery_id)
