"""The in-process broker of the embedded default: a bounded queue between relay and workers.

Nothing in it is durable, and nothing needs to be: the relay claims outbox
rows with a lease and only the dispatcher's "delivered" record closes a row,
so after a crash the lease ends and the row is published again. The queue is
bounded, so a slow department stalls the relay instead of filling memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection

from certhub.hub.core.periodic import BackgroundTasks
from certhub.hub.delivery.broker import Envelope, Handler

log = logging.getLogger(__name__)


class InProcessBroker:
    """A bounded asyncio queue drained by ``concurrency`` worker tasks."""

    def __init__(self, *, concurrency: int, capacity: int | None = None) -> None:
        """Run ``concurrency`` consumers; hold at most ``capacity`` envelopes (2 × by default)."""
        self._queue: asyncio.Queue[Envelope] = asyncio.Queue(capacity or 2 * concurrency)
        self._concurrency = concurrency
        self._workers = BackgroundTasks()

    @property
    def durable(self) -> bool:
        """No: the outbox lease covers a crash."""
        return False

    async def start(self, destinations: Collection[str], handler: Handler | None) -> None:
        """Start the consumers (every destination shares them)."""
        if handler is None:
            return
        for _ in range(self._concurrency):
            self._workers.start(self._consume(handler))

    async def publish(self, envelope: Envelope) -> None:
        """Queue ``envelope``; waits while the queue is full (back-pressure on the relay)."""
        await self._queue.put(envelope)

    async def ping(self) -> str:
        """Always usable; reports the queue depth."""
        return f"in-process, {self._queue.qsize()} queued"

    async def aclose(self) -> None:
        """Stop the consumers; queued envelopes are re-claimed from the outbox later."""
        await self._workers.stop()

    async def _consume(self, handler: Handler) -> None:
        while True:
            envelope = await self._queue.get()
            try:
                await handler(envelope)
            except Exception:  # a consumer outlives any one failure; the lease retries it
                log.exception("delivery %s not handled", envelope.delivery_id)
            finally:
                self._queue.task_done()
