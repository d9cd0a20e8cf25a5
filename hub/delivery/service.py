"""One worker's delivery machinery: relay, broker and dispatcher, started and stopped together."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from certhub.hub.core.periodic import BackgroundTasks
from certhub.hub.delivery.broker import Broker, Envelope
from certhub.hub.delivery.dispatcher import DeliveryDispatcher
from certhub.hub.delivery.relay import OutboxRelay
from certhub.hub.store import LedgerStore


@dataclass(frozen=True, eq=False)  # a service: equal only to itself
class DeliveryService:
    """Relays the outbox through the broker to the dispatcher (a worker's job).

    Nothing runs before :meth:`start`; with ``consume=False`` it declares the
    destinations and relays, but consumes nothing.
    """

    store: LedgerStore
    broker: Broker
    dispatcher: DeliveryDispatcher
    relay: OutboxRelay
    consume: bool = field(default=True, kw_only=True)
    _relaying: BackgroundTasks = field(default_factory=BackgroundTasks, init=False, repr=False)

    async def start(self) -> None:
        """Declare and consume every destination, then start relaying."""
        handler = self.dispatcher.handle if self.consume else None
        await self.broker.start(self.dispatcher.destinations, handler)
        self._relaying.start(self.relay.run())

    def wake(self) -> None:
        """A commit queued deliveries: relay now rather than at the next poll."""
        self.relay.wake()

    async def drain(self) -> int:
        """Deliver every due row now, bypassing the broker (tests, ``certhub`` one-shots)."""
        delivered = 0
        while rows := await self.store.claim_outbox(100, time.time(), 60.0):
            for row in rows:
                await self.dispatcher.handle(Envelope.of(row))
                delivered += await self.store.is_delivered(row.delivery_id)
        return delivered

    async def aclose(self) -> None:
        """Stop relaying, then stop the broker (unacked work returns to the outbox or queue)."""
        await self._relaying.stop()
        await self.broker.aclose()


class NoDelivery:
    """The ingress role's stand-in: it queues deliveries, workers deliver them."""

    def wake(self) -> None:
        """Workers poll the outbox; nothing to wake here."""

    async def drain(self) -> int:
        """Nothing is delivered by this process."""
        return 0
