"""Regression: a consumer that schedules a retry before the relay marks the row published.

Found by ``test_department_down``: with the department failing fast (an open
circuit answers at once), the consumer recorded the retry — ``pending`` again,
due in a second or two — before the relay's "published" mark ran, and the mark
(guarded only by ``state='pending'``) overwrote the schedule with the 15-minute
redelivery time: deliveries stalled, neither delivered nor dead-lettered.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from pathlib import Path

import pytest
from deliverykit import CountingDepartment, queue
from prometheus_client import CollectorRegistry

from certhub.adapters import DepartmentUnavailable
from certhub.adapters.retry import DurableRetry
from certhub.hub.delivery.broker import Envelope, Handler
from certhub.hub.delivery.dispatcher import DeliveryDispatcher
from certhub.hub.delivery.relay import OutboxRelay, RelayTiming
from certhub.hub.store import SqliteLedger
from certhub.hub.store.outbox import OutboxState
from certhub.hub.store.postgres import PostgresLedger
from certhub.monitoring.metrics import HubMetrics


class InstantBroker:
    """A durable broker whose consumer handles each message before the confirm returns."""

    durable = True

    def __init__(self) -> None:
        self.handler: Handler | None = None

    async def start(self, destinations: Collection[str], handler: Handler | None) -> None:
        self.handler = handler

    async def publish(self, envelope: Envelope) -> None:
        assert self.handler is not None
        await self.handler(envelope)

    async def ping(self) -> str:
        return "instant"

    async def aclose(self) -> None:
        pass


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_retry_scheduled_before_the_published_mark_keeps_its_schedule(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    ledger: SqliteLedger | PostgresLedger
    if backend == "sqlite":
        ledger = await SqliteLedger.open(tmp_path / "ledger.sqlite3")
    else:
        ledger = await PostgresLedger.open(request.getfixturevalue("pg_database"))
    try:
        ids = await queue(ledger, 5, destination="ministry")
        department = CountingDepartment(failures=[DepartmentUnavailable("down")] * 5)
        metrics = HubMetrics(CollectorRegistry(), version="test")
        policy = DurableRetry(backoff_initial=1.0, backoff_max=1.0)
        dispatcher = DeliveryDispatcher(ledger, {"ministry": department}, policy, metrics)
        broker = InstantBroker()
        await broker.start(["ministry"], dispatcher.handle)
        relay = OutboxRelay(ledger, broker, RelayTiming(lease=30, redeliver=900))
        assert await relay.relay_once() == 5
        for delivery_id in ids:
            row = await ledger.get_outbox(delivery_id)
            assert row is not None
            assert (row.state, row.attempts) == (OutboxState.PENDING, 1)
            assert row.next_attempt_at <= time.time() + 1.5  # the retry's schedule, not +900 s
        time.sleep(1.1)  # noqa: ASYNC251 - let the retries fall due
        assert await relay.relay_once() == 5
        assert department.effects == set(ids)
        assert [await ledger.is_delivered(i) for i in ids] == [True] * 5
    finally:
        await ledger.aclose()
