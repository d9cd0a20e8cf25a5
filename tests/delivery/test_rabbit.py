"""The RabbitMQ binding against the real broker (127.0.0.1:5672): confirms, acks, the DLQ.

Each test names its exchanges and queues under a prefix of its own and
deletes them afterwards.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aio_pika
from deliverykit import AMQP_URL, CountingDepartment, prefix, queue
from prometheus_client import CollectorRegistry

from certhub.adapters import RequestRejected
from certhub.adapters.retry import DurableRetry
from certhub.hub.delivery.dispatcher import DeliveryDispatcher
from certhub.hub.delivery.rabbit import RabbitBroker
from certhub.hub.delivery.relay import OutboxRelay, RelayTiming
from certhub.hub.delivery.service import DeliveryService
from certhub.hub.store import SqliteLedger
from certhub.hub.store.outbox import OutboxState
from certhub.monitoring.metrics import HubMetrics

__all__ = ["prefix"]  # each test's own topology, from the delivery kit


async def until(predicate: Any, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not await predicate():
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.05)


async def test_outbox_to_rabbitmq_to_department_once_each_and_dead_letters_mirrored(
    tmp_path: Any, prefix: str
) -> None:
    ledger = await SqliteLedger.open(tmp_path / "ledger.sqlite3")
    department = CountingDepartment(failures=[RequestRejected("no such number")])
    ids = await queue(ledger, 30)
    broker = RabbitBroker(AMQP_URL, prefix=prefix, prefetch=8)
    metrics = HubMetrics(CollectorRegistry(), version="test")
    dispatcher = DeliveryDispatcher(ledger, {"sms": department}, DurableRetry(), metrics)
    relay = OutboxRelay(ledger, broker, RelayTiming(poll=0.05, lease=5, batch=16))
    service = DeliveryService(ledger, broker, dispatcher, relay)
    await service.start()
    try:
        assert (await broker.ping()).startswith("connected")

        async def settled() -> bool:
            stats = await ledger.outbox_stats()
            return stats.backlog == 0 and stats.dead == 1

        await until(settled)
        dead = [i for i in ids if (await ledger.get_outbox(i)).state is OutboxState.DEAD]
        assert len(dead) == 1
        assert department.effects == set(ids) - set(dead)
        assert all(count == 1 for count in department.calls.values())
        connection = await aio_pika.connect(AMQP_URL)
        async with connection:
            channel = await connection.channel()
            dlq = await channel.get_queue(f"{prefix}.dlq")
            message = await dlq.get(timeout=5)
            assert message.message_id == dead[0]
            await message.ack()
    finally:
        await service.aclose()
        await ledger.aclose()
