"""Delivery benchmark: outbox → RabbitMQ → consumer → department, against a bare aio-pika loop.

    .venv/bin/python bench/delivery.py [--messages 5000] [--database-url postgresql://…]

Both paths run in this process against the local RabbitMQ, each on a topology
of its own (deleted at the end), with the same 1 KB messages, the same
durable quorum queues, publisher confirms, the same prefetch and an
in-process fake department (an ``async`` function recording the call time).

* **hub**: rows committed to the ledger's outbox (SQLite ``synchronous=FULL``,
  or PostgreSQL with ``--database-url``: a throw-away database is created on
  that server and dropped), the relay claims and publishes them with confirms
  and marks them published, the consumer's dispatcher checks the delivery id,
  calls the department and records the delivery — the production code, wired
  as ``certhub.hub.delivery.context`` wires it.
* **bare**: publish with confirms (pipelined in windows of the relay's batch)
  and consume with manual ack after the department call — no ledger at all.

Phases per path: **drain** — N messages queued up front, delivered/s until the
last one arrives; **paced** — an open loop at half the hub's drain rate,
end-to-end latency from the moment a message is handed over (commit start /
publish start) to the department call. The hub/bare drain ratio is the figure
the issue targets (≥ 50%).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import aio_pika

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))  # the delivery tests' outbox commit

from deliverykit import commit as commit_outbox
from load import percentile
from prometheus_client import CollectorRegistry
from scratch_db import add_database_url_option, create_scratch, drop_scratch

from certhub.adapters.retry import DurableRetry
from certhub.hub.delivery.dispatcher import DeliveryDispatcher
from certhub.hub.delivery.rabbit import RabbitBroker
from certhub.hub.delivery.relay import OutboxRelay, RelayTiming
from certhub.hub.delivery.service import DeliveryService
from certhub.hub.store import LedgerStore, SqliteLedger
from certhub.hub.store.effects import OutboxWrite
from certhub.hub.store.postgres import PostgresLedger
from certhub.monitoring.metrics import HubMetrics

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
DESTINATION = "ministry"
BATCH = 256  # the relay's claim batch with RabbitMQ (hub.delivery.context)


@dataclass
class Result:
    """One measured phase."""

    path: str
    phase: str
    delivered: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        """Delivered messages per second."""
        return self.delivered / self.seconds


class Department:
    """The fake department: records when each delivery id arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.done = asyncio.Event()
        self.expect = 0

    def reset(self, expect: int) -> None:
        self.arrived.clear()
        self.done.clear()
        self.expect = expect

    def record(self, delivery_id: str) -> None:
        self.arrived.setdefault(delivery_id, time.perf_counter())
        if len(self.arrived) >= self.expect:
            self.done.set()

    async def __call__(self, envelope: Any) -> None:
        self.record(envelope.delivery_id)

    async def record_async(self, delivery_id: str) -> None:
        """The bare consumer's department call."""
        self.record(delivery_id)


def payload(n: int) -> bytes:
    """A 1 KB JSON body."""
    body = json.dumps({"n": n, "pad": ""}).encode()
    return json.dumps({"n": n, "pad": "x" * (1024 - len(body))}).encode()


# --- the hub path ---------------------------------------------------------------------------


class HubPath:
    """Ledger outbox + relay + RabbitMQ broker + dispatcher, as a worker runs them."""

    def __init__(self, ledger: LedgerStore, department: Department, prefetch: int) -> None:
        self.ledger = ledger
        self.department = department
        self.prefix = f"bench-{secrets.token_hex(4)}"
        self.broker = RabbitBroker(AMQP_URL, prefix=self.prefix, prefetch=prefetch)
        metrics = HubMetrics(CollectorRegistry(), version="bench")
        dispatcher = DeliveryDispatcher(ledger, {DESTINATION: department}, DurableRetry(), metrics)
        timing = RelayTiming(poll=0.5, lease=30, redeliver=900, batch=BATCH)
        relay = OutboxRelay(ledger, self.broker, timing)
        self.service = DeliveryService(ledger, self.broker, dispatcher, relay)
        self.counter = 0

    async def commit(self, count: int) -> list[tuple[str, float]]:
        """Commit one ledger record queuing ``count`` deliveries; (id, commit start) each."""
        started = time.perf_counter()
        ids = []
        for _ in range(count):
            self.counter += 1
            ids.append(f"{self.prefix}-{self.counter}")
        writes = tuple(OutboxWrite(i, DESTINATION, "push", payload(self.counter)) for i in ids)
        await commit_outbox(self.ledger, writes)
        self.service.wake()
        return [(i, started) for i in ids]

    async def start(self) -> None:
        await self.service.start()

    async def aclose(self) -> None:
        await self.service.aclose()


# --- the bare path --------------------------------------------------------------------------


class BarePath:
    """aio-pika only: publish with confirms, consume with ack after the department call."""

    def __init__(self, department: Department, prefetch: int) -> None:
        self.department = department
        self.prefetch = prefetch
        self.name = f"bench-bare-{secrets.token_hex(4)}"
        self.counter = 0
        self.connection: aio_pika.abc.AbstractRobustConnection | None = None
        self.exchange: aio_pika.abc.AbstractExchange | None = None

    async def start(self) -> None:
        self.connection = await aio_pika.connect_robust(AMQP_URL)
        publisher = await self.connection.channel()  # confirms on (aio-pika's default)
        self.exchange = await publisher.declare_exchange(
            self.name, aio_pika.ExchangeType.DIRECT, durable=True
        )
        consumer = await self.connection.channel()
        await consumer.set_qos(prefetch_count=self.prefetch)
        queue = await consumer.declare_queue(
            self.name, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.bind(self.exchange, routing_key=DESTINATION)

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            await self.department.record_async(str(message.message_id))
            await message.ack()

        await queue.consume(on_message, no_ack=False)

    async def commit(self, count: int) -> list[tuple[str, float]]:
        """Publish ``count`` messages, confirms pipelined; (id, publish start) each."""
        if self.exchange is None:
            raise RuntimeError("not started")
        started = time.perf_counter()
        ids = []
        for _ in range(count):
            self.counter += 1
            ids.append((f"{self.name}-{self.counter}", self.counter))
        await asyncio.gather(
            *(
                self.exchange.publish(
                    aio_pika.Message(
                        payload(n),
                        message_id=i,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        content_type="application/json",
                    ),
                    routing_key=DESTINATION,
                )
                for i, n in ids
            )
        )
        return [(i, started) for i, _ in ids]

    async def aclose(self) -> None:
        if self.connection is not None:
            await self.connection.close()  # stop consuming before the queue goes
        connection = await aio_pika.connect(AMQP_URL)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(self.name)
            await channel.exchange_delete(self.name)


Commit = Callable[[int], Awaitable[list[tuple[str, float]]]]


async def drain(name: str, commit: Commit, department: Department, messages: int) -> Result:
    """Queue ``messages`` up front, then time their delivery."""
    department.reset(messages)
    sent: list[tuple[str, float]] = []
    for start in range(0, messages, BATCH):
        sent += await commit(min(BATCH, messages - start))
    return await _finish(name, "drain", sent, department, started=sent[0][1])


async def paced(
    name: str, commit: Commit, department: Department, rate: float, seconds: float
) -> Result:
    """Hand over ``rate`` messages a second in 20 ms ticks; latency from hand-over."""
    total = int(rate * seconds)
    department.reset(total)
    per_tick = max(1, round(rate / 50))
    sent: list[tuple[str, float]] = []
    begin = time.perf_counter()
    tick = 0
    while len(sent) < total:
        sent += await commit(min(per_tick, total - len(sent)))
        tick += 1
        await asyncio.sleep(max(0.0, begin + tick / 50 - time.perf_counter()))
    return await _finish(name, "paced", sent, department, started=begin)


async def _finish(
    name: str, phase: str, sent: list[tuple[str, float]], department: Department, started: float
) -> Result:
    await asyncio.wait_for(department.done.wait(), timeout=300)
    last = max(department.arrived.values())
    latencies = [department.arrived[i] - t for i, t in sent]
    return Result(
        name,
        phase,
        len(sent),
        last - started,
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
    )


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Both paths, drain then paced; the figures."""
    department = Department()
    work = Path(tempfile.mkdtemp(prefix="certhub-bench-delivery-"))
    database = None
    ledger: SqliteLedger | PostgresLedger
    if args.database_url:
        database = await create_scratch(args.database_url)
        ledger = await PostgresLedger.open(database)
    else:
        ledger = await SqliteLedger.open(work / "ledger.sqlite3", synchronous="FULL")
    hub = HubPath(ledger, department, args.prefetch)
    bare = BarePath(department, args.prefetch)
    results: list[Result] = []
    try:
        await hub.start()
        await bare.start()
        await drain("hub", hub.commit, department, args.warmup)  # warm up both
        await drain("bare", bare.commit, department, args.warmup)
        hub_drain = await drain("hub", hub.commit, department, args.messages)
        bare_drain = await drain("bare", bare.commit, department, args.messages)
        rate = hub_drain.rate / 2
        hub_paced = await paced("hub", hub.commit, department, rate, args.seconds)
        bare_paced = await paced("bare", bare.commit, department, rate, args.seconds)
        results = [hub_drain, hub_paced, bare_drain, bare_paced]
        stats = await ledger.outbox_stats()
    finally:
        await hub.aclose()
        await bare.aclose()
        await delete_topology(hub.prefix)
        await ledger.aclose()
        if database is not None:
            await drop_scratch(args.database_url, database)
    return {
        "ledger": "postgresql" if database else "sqlite",
        "results": [asdict(r) | {"rate": round(r.rate, 1)} for r in results],
        "hub_over_bare_drain": round(hub_drain.rate / bare_drain.rate, 3),
        "paced_rate": round(rate, 1),
        "outbox_backlog_after": stats.backlog,
        "message_bytes": len(payload(1)),
    }


async def delete_topology(prefix: str) -> None:
    """Delete what the hub path declared."""
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        for queue in ("dlq", "ingress", f"delivery.{DESTINATION}"):
            await channel.queue_delete(f"{prefix}.{queue}")
        for exchange in ("dlx", "deliveries", "ingress"):
            await channel.exchange_delete(f"{prefix}.{exchange}")


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="messages per drain phase")
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the paced phase")
    parser.add_argument("--prefetch", type=int, default=16, help="CERTHUB_DELIVERY_CONCURRENCY")
    add_database_url_option(parser, "the hub path's ledger")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    print(f"ledger: {figures['ledger']}, {figures['message_bytes']}-byte messages")
    print(f"{'path':5} {'phase':6} {'msg/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'messages':>8}")
    for row in figures["results"]:
        print(
            f"{row['path']:5} {row['phase']:6} {row['rate']:9.1f} {row['p50_ms']:8.2f}"
            f" {row['p99_ms']:8.2f} {row['delivered']:8}"
        )
    print(f"hub/bare delivered throughput: {figures['hub_over_bare_drain']:.1%}")
    print(f"outbox backlog after the run: {figures['outbox_backlog_after']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
