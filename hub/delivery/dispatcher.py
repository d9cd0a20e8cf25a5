"""Idempotent delivery: call the department once per delivery id, record the outcome.

Before the call the dispatcher looks the id up in ``deliveries``; after a
successful call it records the id, closing the outbox row, in one audited
transaction. A redelivered envelope (a broker redelivery, a relay that
published twice, a second worker) therefore never repeats the effect; if a
crash falls between the call and the record, the department's own
idempotency by the same id absorbs the second call (belt and braces).

Failures: a :class:`~adapters.PermanentError` or the last allowed attempt
dead-letters the delivery; anything else is retried later with exponential
backoff and jitter, never sooner than a department's ``Retry-After`` or an
open circuit's ``retry_after``. The adapters' own policy already retried
inside the call; this is the slower, durable layer (both layers and their
one backoff function: :mod:`certhub.adapters.retry`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime

from certhub.adapters import PermanentError
from certhub.adapters.retry import DurableRetry
from certhub.hub.delivery.broker import Envelope, Verdict
from certhub.hub.delivery.destinations import Deliver
from certhub.hub.store import LedgerStore
from certhub.monitoring.logging import correlation_id
from certhub.monitoring.metrics import HubMetrics
from certhub.monitoring.tracing import Attributes, set_attributes, span

log = logging.getLogger(__name__)


class DeliveryDispatcher:
    """Handles envelopes from any broker: check, call, record."""

    def __init__(
        self,
        store: LedgerStore,
        destinations: Mapping[str, Deliver],
        policy: DurableRetry,
        metrics: HubMetrics,
    ) -> None:
        """Deliver through ``destinations`` (by outbox destination name)."""
        self._store = store
        self._destinations = destinations
        self._policy = policy
        self._metrics = metrics
        self._recording: set[asyncio.Future[None]] = set()

    @property
    def destinations(self) -> list[str]:
        """The destinations this hub can deliver to."""
        return sorted(self._destinations)

    async def handle(self, envelope: Envelope) -> Verdict:
        """Deliver ``envelope`` at most once in effect; the verdict for the broker.

        Every log line of the delivery (the adapter's included) carries the
        correlation id of the request that caused it, so one id follows a report
        from its push to the department's answer.
        """
        bound = correlation_id.set(envelope.correlation_id or envelope.delivery_id)
        attributes: Attributes = {
            "certhub.delivery.id": envelope.delivery_id,
            "certhub.destination": envelope.destination,
            "certhub.operation": envelope.operation,
            "certhub.attempt": envelope.attempts + 1,
            "messaging.message.body.size": len(envelope.payload),
        }
        try:
            with span(f"delivery {envelope.destination}", attributes) as current:
                verdict = await self._handle(envelope)
                set_attributes(current, {"certhub.verdict": verdict.value})
                return verdict
        finally:
            correlation_id.reset(bound)

    async def _handle(self, envelope: Envelope) -> Verdict:
        started = time.perf_counter()
        if await self._store.is_delivered(envelope.delivery_id):
            self._count(envelope, "duplicate")
            return Verdict.ACK
        deliver = self._destinations.get(envelope.destination)
        try:
            if deliver is None:
                raise LookupError(f"no adapter configured for {envelope.destination!r}")
            with span(f"department call {envelope.destination}"):  # error status if it raises
                await deliver(envelope)
        except Exception as exc:  # classified below; a bug is retried, then dead-lettered
            return await self._failed(envelope, exc)
        # The effect happened: record it even if this consumer is cancelled meanwhile (a
        # broker channel closing cancels its callbacks), so the record and the count stand.
        recording = asyncio.ensure_future(self._delivered(envelope))
        self._recording.add(recording)
        recording.add_done_callback(self._recording.discard)
        await asyncio.shield(recording)
        log.info(
            "delivery %s delivered to %s",
            envelope.delivery_id,
            envelope.destination,
            extra={
                "event": "delivered",
                "delivery_id": envelope.delivery_id,
                "destination": envelope.destination,
                "operation": envelope.operation,
                "attempt": envelope.attempts + 1,
                "request_bytes": len(envelope.payload),
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return Verdict.ACK

    async def _delivered(self, envelope: Envelope) -> None:
        await self._store.mark_delivered(
            envelope.delivery_id, envelope.destination, datetime.now(UTC)
        )
        self._count(envelope, "delivered")

    async def _failed(self, envelope: Envelope, exc: Exception) -> Verdict:
        attempts = envelope.attempts + 1
        error = type(exc).__name__
        if isinstance(exc, PermanentError) or attempts >= self._policy.max_attempts:
            await self._store.dead_letter(envelope.delivery_id, attempts, error)
            self._count(envelope, "dead_lettered")
            log.warning(
                "delivery %s dead-lettered after %d attempt(s): %s",
                envelope.delivery_id,
                attempts,
                error,
            )
            return Verdict.DEAD
        retry_after = getattr(exc, "retry_after", None)
        wait = self._policy.delay(
            attempts, float(retry_after) if isinstance(retry_after, int | float) else None
        )
        await self._store.retry_delivery(envelope.delivery_id, attempts, time.time() + wait, error)
        self._count(envelope, "retried")
        log.info("delivery %s retried in %.1f s: %s", envelope.delivery_id, wait, error)
        return Verdict.ACK

    def _count(self, envelope: Envelope, outcome: str) -> None:
        adapter = envelope.destination if envelope.destination in self._destinations else "other"
        self._metrics.deliveries.labels(adapter=adapter, outcome=outcome).inc()
