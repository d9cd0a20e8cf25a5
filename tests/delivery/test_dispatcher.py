"""Idempotent delivery over the in-process broker, on both backends.

A redelivered envelope never repeats the department call; transient
failures wait (at least the circuit's ``retry_after``) and come back through
the relay; a permanent failure or the last attempt dead-letters; a crash
between claim and delivery loses nothing.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from deliverykit import CountingDepartment, queue
from prometheus_client import CollectorRegistry

from certhub.adapters import CircuitOpen, DepartmentTimeout, RequestRejected
from certhub.adapters.retry import DurableRetry
from certhub.hub.delivery.broker import Envelope, Verdict
from certhub.hub.delivery.dispatcher import DeliveryDispatcher
from certhub.hub.delivery.memory import InProcessBroker
from certhub.hub.delivery.relay import OutboxRelay, RelayTiming
from certhub.hub.delivery.service import DeliveryService
from certhub.hub.store.outbox import OutboxState
from certhub.monitoring.metrics import HubMetrics

FAST = DurableRetry(max_attempts=3, backoff_initial=0.01, backoff_max=0.02)


def dispatcher(ledger: Any, department: CountingDepartment, policy: DurableRetry = FAST) -> Any:
    metrics = HubMetrics(CollectorRegistry(), version="test")
    return DeliveryDispatcher(ledger, {"sms": department}, policy, metrics)


async def until(predicate: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not await predicate():
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.02)


async def test_a_redelivery_never_repeats_the_department_call(ledger: Any) -> None:
    department = CountingDepartment()
    handle = dispatcher(ledger, department).handle
    (delivery_id,) = await queue(ledger, 1)
    (row,) = await ledger.claim_outbox(10, time.time(), 30)
    assert await handle(Envelope.of(row)) is Verdict.ACK
    assert await handle(Envelope.of(row)) is Verdict.ACK  # the broker redelivers
    assert department.calls == {delivery_id: 1}
    assert (await ledger.get_outbox(delivery_id)).state is OutboxState.DELIVERED


async def test_transient_failures_retry_then_dead_letter(ledger: Any) -> None:
    department = CountingDepartment(failures=[DepartmentTimeout("slow")] * 3)
    handle = dispatcher(ledger, department).handle
    (delivery_id,) = await queue(ledger, 1)
    verdicts = []
    for _ in range(3):
        await until(lambda: _due(ledger))
        (row,) = await ledger.claim_outbox(10, time.time(), 30)
        verdicts.append(await handle(Envelope.of(row)))
    assert verdicts == [Verdict.ACK, Verdict.ACK, Verdict.DEAD]
    row = await ledger.get_outbox(delivery_id)
    assert (row.state, row.attempts, row.last_error) == (
        OutboxState.DEAD,
        3,
        "DepartmentTimeout",
    )


async def _due(ledger: Any) -> bool:
    row = await ledger.get_outbox("d0")
    return bool(row.next_attempt_at <= time.time())


async def test_a_permanent_failure_dead_letters_at_once(ledger: Any) -> None:
    department = CountingDepartment(failures=[RequestRejected("bad number")])
    await queue(ledger, 1)
    (row,) = await ledger.claim_outbox(10, time.time(), 30)
    assert await dispatcher(ledger, department).handle(Envelope.of(row)) is Verdict.DEAD
    assert (await ledger.outbox_stats()).dead == 1


async def test_an_open_circuit_is_not_retried_before_it_allows_a_probe(ledger: Any) -> None:
    department = CountingDepartment(failures=[CircuitOpen("open", retry_after=60.0)])
    await queue(ledger, 1)
    (row,) = await ledger.claim_outbox(10, time.time(), 30)
    await dispatcher(ledger, department).handle(Envelope.of(row))
    row = await ledger.get_outbox("d0")
    assert row.state is OutboxState.PENDING
    assert row.next_attempt_at >= time.time() + 59


async def test_relay_and_broker_deliver_everything_once(ledger: Any) -> None:
    department = CountingDepartment(failures=[DepartmentTimeout("x")] * 5)
    ids = await queue(ledger, 40)
    await delivered_by_service(ledger, department, 4, RelayTiming(poll=0.02, lease=5, batch=8))
    assert department.effects == set(ids)
    assert all(department.calls[i] <= 2 for i in ids)  # at most the one retry each


async def delivered_by_service(
    ledger: Any, department: CountingDepartment, concurrency: int, timing: RelayTiming
) -> None:
    """Run the whole delivery service (relay, in-process broker, dispatcher) until the
    outbox has nothing left to deliver, then stop it."""
    broker = InProcessBroker(concurrency=concurrency)
    relay = OutboxRelay(ledger, broker, timing)
    service = DeliveryService(ledger, broker, dispatcher(ledger, department), relay)
    await service.start()
    try:
        await until(lambda: _all_delivered(ledger))
    finally:
        await service.aclose()


async def _all_delivered(ledger: Any) -> bool:
    stats = await ledger.outbox_stats()
    return stats.backlog == 0 and stats.dead == 0


async def test_a_crash_after_the_claim_loses_nothing(ledger: Any) -> None:
    department = CountingDepartment()
    ids = await queue(ledger, 3)
    await ledger.claim_outbox(10, time.time(), 0.2)  # claimed by a relay that then died
    await delivered_by_service(ledger, department, 2, RelayTiming(poll=0.02, lease=5))
    assert department.calls == dict.fromkeys(ids, 1)
