"""The relay: due outbox rows → broker, marked ``published`` only after the confirm.

It claims due rows with a lease, publishes them (confirms pipelined), and —
with a durable broker — marks the confirmed ones published in one audited
write. A row whose publish failed gets its lease released so it goes again
as soon as the broker is back (unless another relay claimed it meanwhile); a
relay that dies mid-way leaves leased rows that the next claim takes once the
lease ends. Nothing is lost either way, and a row published twice is
delivered once (the dispatcher checks its id).
The "published" mark only applies to a row still under this relay's claim: a
consumer quick enough to have scheduled a retry first keeps its schedule.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from certhub.hub.core.periodic import every
from certhub.hub.delivery.broker import Broker, BrokerError, Envelope
from certhub.hub.store import LedgerStore, StoreError
from certhub.monitoring.logging import correlation_id
from certhub.monitoring.tracing import Attributes, span


@dataclass(frozen=True, slots=True)
class RelayTiming:
    """How the relay paces itself (seconds)."""

    poll: float = 0.5
    lease: float = 30.0
    redeliver: float = 900.0
    batch: int = 256


class OutboxRelay:
    """Publishes due outbox rows through a broker until cancelled."""

    def __init__(self, store: LedgerStore, broker: Broker, timing: RelayTiming) -> None:
        """Relay from ``store`` to ``broker``."""
        self._store = store
        self._broker = broker
        self._timing = timing
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for due rows now (a commit just queued some)."""
        self._wake.set()

    async def relay_once(self) -> int:
        """Claim and publish one batch; how many rows the broker confirmed."""
        rows = await self._store.claim_outbox(self._timing.batch, time.time(), self._timing.lease)
        if not rows:
            return 0
        results = await asyncio.gather(
            *(self._publish(Envelope.of(row)) for row in rows), return_exceptions=True
        )
        confirmed = [row for row, r in zip(rows, results, strict=True) if r is None]
        failed = [row for row, r in zip(rows, results, strict=True) if r is not None]
        if confirmed and self._broker.durable:
            redeliver_at = time.time() + self._timing.redeliver
            leases = {row.delivery_id: row.next_attempt_at for row in confirmed}
            await self._store.mark_published(leases, redeliver_at)
        if failed:
            leases = {row.delivery_id: row.next_attempt_at for row in failed}
            await self._store.release_leases(leases, time.time())
            raise next(r for r in results if isinstance(r, BaseException))
        return len(confirmed)

    async def _publish(self, envelope: Envelope) -> None:
        """Publish one row under the correlation id of the request that queued it (its own task)."""
        correlation_id.set(envelope.correlation_id or envelope.delivery_id)
        attributes: Attributes = {
            "certhub.delivery.id": envelope.delivery_id,
            "certhub.destination": envelope.destination,
            "messaging.message.body.size": len(envelope.payload),
        }
        with span(f"outbox publish {envelope.destination}", attributes):
            await self._broker.publish(envelope)

    async def run(self) -> None:
        """Relay until cancelled; broker and store failures wait for the next round."""
        await every(
            self._timing.poll,
            self._relay_due,
            what="outbox relay",
            expected=(BrokerError, StoreError),
            wake=self._wake,
        )

    async def _relay_due(self) -> None:
        while await self.relay_once() >= self._timing.batch:
            pass  # a full batch: more are probably due
