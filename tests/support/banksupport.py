"""RabbitMQ fixtures of the bank suites: a uniquely named topology per test, deleted after."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from prometheus_client import CollectorRegistry

from certhub.adapters import AdapterOptions, create_adapter
from certhub.adapters.bank import BANK_CODES, BankTerminalAdapter
from certhub.mocks.bank import BankTerminalPublisher
from certhub.monitoring.adapter_metrics import AdapterMetrics
from certhub.schemas import CertificationEvent

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


def options() -> AdapterOptions:
    """Fresh metrics, backoff sleeps off."""
    return AdapterOptions(AdapterMetrics(CollectorRegistry()), testing=True)


@dataclass
class Topology:
    """Names of one test's exchange and queues."""

    exchange: str
    queue: str
    dlx: str
    dlq: str

    @classmethod
    def unique(cls) -> Topology:
        tag = uuid.uuid4().hex[:12]
        return cls(f"t.{tag}.bank", f"t.{tag}.q", f"t.{tag}.dlx", f"t.{tag}.dlq")

    def settings(self, keys: Path, **extra: Any) -> dict[str, Any]:
        return {
            "amqp_url": AMQP_URL,
            "exchange": self.exchange,
            "queue": self.queue,
            "dead_letter_exchange": self.dlx,
            "dead_letter_queue": self.dlq,
            "bank_keys_path": str(keys),
            "max_message_bytes": 16 * 1024,
            "policy": {"attempt_timeout": 5.0, "deadline": 10.0},
            **extra,
        }


@dataclass
class Ingested:
    """What the ingest callback received, with a way to fail on purpose."""

    events: dict[str, CertificationEvent] = field(default_factory=dict)
    calls: int = 0
    fail_next: list[BaseException] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, event: CertificationEvent, message_id: str) -> None:
        self.calls += 1
        self.changed.set()
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.events[message_id] = event

    async def until(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        async with asyncio.timeout(within):
            while not predicate():
                self.changed.clear()
                await self.changed.wait()


async def dead_letters(
    connection: AbstractRobustConnection, queue: str, count: int, within: float = 10.0
) -> list[AbstractIncomingMessage]:
    """The next ``count`` messages of the dead-letter queue (polled with a deadline)."""
    channel = await connection.channel()
    dlq = await channel.declare_queue(queue, durable=True, passive=True)
    found: list[AbstractIncomingMessage] = []
    async with asyncio.timeout(within):
        while len(found) < count:
            message = await dlq.get(no_ack=True, fail=False)
            if message is None:
                await settle()
                continue
            found.append(message)
    await channel.close()
    return found


async def settle() -> None:
    """One short pause while polling something with no event to await (a queue, the ledger)."""
    await asyncio.sleep(0.02)


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    """Poll ``check`` until it holds, failing after ``within`` seconds."""
    async with asyncio.timeout(within):
        for _ in iter(int, 1):  # forever, bounded by the deadline
            if await check():
                return
            await settle()


async def publish_signed(publisher: BankTerminalPublisher, natives: list[dict[str, Any]]) -> None:
    """Publish each native event signed by its bank, ``jti`` from its serial (a redelivery
    of the same event repeats it)."""
    for native in natives:
        await publisher.publish(
            publisher.sign(native, jti=f"j-{native['lsh']}"),
            content_type="application/jose",
            code=native["yhdm"],
        )


@pytest.fixture
async def amqp() -> AsyncIterator[AbstractRobustConnection]:
    """A connection of the test's own, for inspecting and cleaning up."""
    connection = await aio_pika.connect_robust(AMQP_URL)
    yield connection
    await connection.close()


@pytest.fixture
async def topology(amqp: AbstractRobustConnection) -> AsyncIterator[Topology]:
    """Unique names; the exchanges and queues are deleted after the test."""
    names = Topology.unique()
    yield names
    channel = await amqp.channel()
    for queue in (names.queue, names.dlq):
        await channel.queue_delete(queue)
    for exchange in (names.exchange, names.dlx):
        await channel.exchange_delete(exchange)
    await channel.close()


DeadLetters = Callable[[int], Awaitable[list[AbstractIncomingMessage]]]


@pytest.fixture
def dead_lettered(amqp: AbstractRobustConnection, topology: Topology) -> DeadLetters:
    """The next messages of this test's dead-letter queue: ``await dead_lettered(count)``."""

    async def letters(count: int) -> list[AbstractIncomingMessage]:
        return await dead_letters(amqp, topology.dlq, count)

    return letters


@pytest.fixture
async def publisher(topology: Topology) -> AsyncIterator[BankTerminalPublisher]:
    """The banks, connected to this test's exchange."""
    banks = BankTerminalPublisher(AMQP_URL, topology.exchange, BANK_CODES - {"402"})
    await banks.connect()
    yield banks
    await banks.close()


StartAdapter = Callable[..., Awaitable[BankTerminalAdapter]]


@pytest.fixture
async def start_adapter(
    topology: Topology, publisher: BankTerminalPublisher, tmp_path: Path
) -> AsyncIterator[StartAdapter]:
    """Start the consumer with an ingest callback; closed after the test."""
    started: list[BankTerminalAdapter] = []
    keys = tmp_path / "banks.jwks.json"
    publisher.trust_store().save(keys)

    async def start(ingest: Ingested, **extra: Any) -> BankTerminalAdapter:
        adapter = create_adapter("bank_terminals", topology.settings(keys, **extra), options())
        assert isinstance(adapter, BankTerminalAdapter)
        started.append(adapter)
        await adapter.start(ingest)
        return adapter

    yield start
    for adapter in started:
        await adapter.aclose()
