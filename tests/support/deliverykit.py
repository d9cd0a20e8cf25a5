"""Helpers of the delivery and reliability tests."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aio_pika
import pytest

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
# Every queue and exchange a hub declares under its prefix (RabbitMQ ignores deleting
# one a test never declared), so one clean-up serves every test on the real broker.
QUEUES = ("dlq", "ingress", "delivery.ministry", "delivery.sms", "comparison")
EXCHANGES = ("dlx", "deliveries", "ingress", "jobs")


async def delete_topology(prefix: str) -> None:
    """Delete every queue and exchange a hub declared under ``prefix``."""
    connection = await aio_pika.connect(AMQP_URL, timeout=10)
    async with connection:
        channel = await connection.channel()
        for name in QUEUES:
            await channel.queue_delete(f"{prefix}.{name}")
        for name in EXCHANGES:
            await channel.exchange_delete(f"{prefix}.{name}")


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A RabbitMQ topology prefix of this test's own, deleted afterwards."""
    name = f"test-{secrets.token_hex(4)}"
    yield name
    await delete_topology(name)


@dataclass
class CountingDepartment:
    """A destination that counts calls per delivery id and fails as told."""

    calls: dict[str, int] = field(default_factory=dict)
    failures: list[BaseException] = field(default_factory=list)
    effects: set[str] = field(default_factory=set)

    async def __call__(self, envelope: Any) -> None:
        self.calls[envelope.delivery_id] = self.calls.get(envelope.delivery_id, 0) + 1
        if self.failures:
            raise self.failures.pop(0)
        self.effects.add(envelope.delivery_id)


async def commit(ledger: Any, writes: tuple[Any, ...]) -> None:
    """Commit one hub record whose effects queue ``writes`` (outbox rows)."""
    from certhub.hub.store import NewMessage, RecordKind
    from certhub.hub.store.effects import Effects

    jws = f"jws-{time.monotonic_ns()}".encode()
    message = NewMessage(
        kind=RecordKind.OUTCOME,
        message_type="test/v1",
        sender="hub",
        message_id=jws.decode(),
        kid="kid",
        sha256=hashlib.sha256(jws).hexdigest(),
        jws=jws,
        payload=b"{}",
        received_at=datetime.now(UTC),
    )
    await ledger.append(message, lambda sequence: f"r{sequence}", Effects(outbox=writes))


async def queue(ledger: Any, count: int, destination: str = "sms") -> list[str]:
    """Commit ``count`` deliveries ``d0`` … to ``destination``; their ids."""
    from certhub.hub.store.effects import OutboxWrite

    ids = [f"d{n}" for n in range(count)]
    await commit(ledger, tuple(OutboxWrite(i, destination, "notify", b"{}") for i in ids))
    return ids


@dataclass
class MemoryDeliveries:
    """The dispatcher's store seam in memory, for tests of what a delivery logs or traces."""

    delivered: set[str] = field(default_factory=set)

    async def is_delivered(self, delivery_id: str) -> bool:
        """Whether ``delivery_id`` was delivered before."""
        return delivery_id in self.delivered

    async def mark_delivered(self, delivery_id: str, destination: str, at: object) -> None:
        """Record ``delivery_id`` as delivered."""
        self.delivered.add(delivery_id)

    async def retry_delivery(self, *args: object) -> None:
        """A retry goes back through the outbox, which these tests do not have."""


def memory_dispatcher(deliver: Any, max_attempts: int) -> Any:
    """A dispatcher of ``sms`` deliveries to ``deliver`` over :class:`MemoryDeliveries`."""
    from prometheus_client import CollectorRegistry

    from certhub.adapters.retry import DurableRetry
    from certhub.hub.delivery.dispatcher import DeliveryDispatcher
    from certhub.monitoring.metrics import HubMetrics

    return DeliveryDispatcher(
        MemoryDeliveries(),  # type: ignore[arg-type]
        {"sms": deliver},
        DurableRetry(max_attempts=max_attempts),
        HubMetrics(CollectorRegistry()),
    )
