"""The RabbitMQ binding (aio-pika): quorum queues per destination, a DLQ, publisher confirms.

Topology, under a deployment prefix ``P``::

    P.deliveries (direct) ──<destination>──▶ P.delivery.<destination>  (quorum)
    P.ingress    (direct) ──<collection>───▶ P.ingress                  (quorum)
    P.jobs       (direct) ──comparison─────▶ P.comparison               (quorum)
    P.dlx        (fanout) ─────────────────▶ P.dlq                      (quorum, bounded)

Every queue dead-letters to ``P.dlx``. The relay publishes on a confirming
channel and returns only after the broker's ack. Consumers take at most
``prefetch`` unacknowledged messages and ack only after the handler
returned (delivered, or its retry recorded in the outbox); a handler that
raises gets the message back on the queue after a short pause. Delayed retry
is the outbox's ``next_attempt_at`` (the relay publishes a retried delivery
again when it is due), so a retry survives any restart and shows in
``certhub dlq``. ``P.comparison`` holds the comparison's city partitions
(:mod:`certhub.hub.comparison.jobs`), taken one at a time by workers; the
ledger's record of each partition, not the queue, decides whether it runs.
The robust connection reconnects with a fixed interval and
restores channels, queues and consumers; publishes in the gap fail with
:class:`~certhub.hub.delivery.broker.BrokerUnavailable` and stay in the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Any, Final

import aio_pika
import aiormq
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractRobustConnection,
)

from certhub.hub.core.periodic import FailingRounds
from certhub.hub.delivery.broker import BrokerUnavailable, Envelope, Handler, Verdict

log = logging.getLogger(__name__)

AMQP_ERRORS: Final = (
    aio_pika.exceptions.AMQPError,
    aiormq.exceptions.AMQPError,
    ConnectionError,
    OSError,
    TimeoutError,
    RuntimeError,  # aio-pika: "channel closed" while reconnecting
)
DLQ_MAX_LENGTH: Final = 100_000  # a bounded dead-letter mirror; the outbox keeps the truth
PUBLISH_TIMEOUT: Final = 10.0
REQUEUE_PAUSE: Final = 1.0  # before handing back a message whose handling failed

IngressHandler = Callable[[AbstractIncomingMessage], Awaitable[None]]


class _ReconnectAttempts(logging.Filter):
    """aio-pika's and aiormq's lines for each failed reconnect attempt (three a second per
    connection, an ERROR among them), turned into the hub's own bounded outage lines: its
    start, one a minute, its end (README, Logs). The first filter on a logger that drops
    a line ends its filtering: a process with several connections logs one outage."""

    _LINES: Final = (
        ("aio_pika.robust_connection", "Connection attempt to"),
        ("aio_pika.robust_connection", "Connection to %s closed. Reconnecting"),  # INFO
        ("aiormq.connection", "error when creating transport"),
    )

    def __init__(self, connection: AbstractRobustConnection) -> None:
        super().__init__()
        self._connection = connection
        self.failing = FailingRounds("RabbitMQ connection", logger=log)

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop an attempt's line; count it if it is this connection's."""
        text = str(record.msg)
        if not any(record.name == n and text.startswith(t) for n, t in self._LINES):
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) >= 2 and args[0] is self._connection and isinstance(args[1], BaseException):
            self.failing.failed(args[1], traceback=False)
        return False

    def attach(self) -> None:
        """Filter both libraries' loggers, and end the outage when the connection is back."""
        for name, _ in self._LINES:
            logging.getLogger(name).addFilter(self)
        self._connection.reconnect_callbacks.add(lambda *_: self.failing.succeeded())

    def detach(self) -> None:
        """Leave the libraries' loggers as they were."""
        for name, _ in self._LINES:
            logging.getLogger(name).removeFilter(self)


class RabbitBroker:
    """A :class:`~certhub.hub.delivery.broker.Broker` on RabbitMQ."""

    def __init__(self, url: str, *, prefix: str, prefetch: int) -> None:
        """Connect to ``url`` on :meth:`start`; name everything under ``prefix``."""
        self._url = url
        self._prefix = prefix
        self._prefetch = prefetch
        self._connection: AbstractRobustConnection | None = None
        self._attempts: _ReconnectAttempts | None = None
        self._publisher: AbstractChannel | None = None
        self._deliveries: AbstractExchange | None = None
        self._declared: set[str] = set()

    @property
    def durable(self) -> bool:
        """Yes: a confirmed message is in a replicated quorum queue."""
        return True

    def name(self, suffix: str) -> str:
        """The full name of an exchange or queue."""
        return f"{self._prefix}.{suffix}"

    async def start(self, destinations: Collection[str], handler: Handler | None) -> None:
        """Connect, declare the topology, and consume ``destinations`` with ``handler``."""
        try:
            self._connection = await aio_pika.connect_robust(
                self._url, timeout=10, reconnect_interval=1.0
            )
            self._attempts = _ReconnectAttempts(self._connection)
            self._attempts.attach()
            self._publisher = await self._connection.channel(on_return_raises=True)
            await self._declare_common(self._publisher)
            for destination in destinations:
                await self._declare_destination(destination)
        except AMQP_ERRORS as exc:
            await self.aclose()
            raise BrokerUnavailable(f"cannot set up RabbitMQ: {exc}") from exc
        if handler is not None:
            for destination in destinations:
                await self._consume(self.name(f"delivery.{destination}"), _deliveries(handler))

    async def publish_job(self, kind: str, body: bytes, message_id: str) -> None:
        """Publish one job to the ``P.<kind>`` queue, persistently, and wait for the confirm."""
        if self._publisher is None:
            raise BrokerUnavailable("the RabbitMQ binding is not started")
        message = aio_pika.Message(
            body,
            message_id=message_id,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            content_type="application/json",
        )
        try:
            jobs = await self._publisher.get_exchange(self.name("jobs"), ensure=False)
            await jobs.publish(message, routing_key=kind, timeout=PUBLISH_TIMEOUT)
        except AMQP_ERRORS as exc:
            raise BrokerUnavailable(f"job not confirmed: {exc}") from exc

    async def consume_jobs(self, kind: str, handler: IngressHandler, *, prefetch: int) -> None:
        """Consume the ``P.<kind>`` queue, ``prefetch`` jobs at a time (the handler acks)."""
        await self._consume(self.name(kind), handler, prefetch=prefetch)

    async def consume_ingress(self, handler: IngressHandler) -> None:
        """Consume the ingress queue (signed messages departments publish)."""
        await self._consume(self.name("ingress"), handler)

    async def publish(self, envelope: Envelope) -> None:
        """Publish persistently and wait for the broker's confirm."""
        if self._deliveries is None:
            raise BrokerUnavailable("the RabbitMQ binding is not started")
        message = aio_pika.Message(
            envelope.payload,
            message_id=envelope.delivery_id,
            correlation_id=envelope.correlation_id,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            content_type="application/json",
            headers={"operation": envelope.operation, "attempts": envelope.attempts},
        )
        try:
            if envelope.destination not in self._declared:
                await self._declare_destination(envelope.destination)
            await self._deliveries.publish(
                message, routing_key=envelope.destination, timeout=PUBLISH_TIMEOUT
            )
        except AMQP_ERRORS as exc:
            raise BrokerUnavailable(f"publish not confirmed: {exc}") from exc

    async def dead_letter(self, body: bytes, headers: dict[str, str]) -> None:
        """Put a copy of a refused message in the DLQ with why (``headers``)."""
        if self._publisher is None:
            raise BrokerUnavailable("the RabbitMQ binding is not started")
        dlx = await self._publisher.get_exchange(self.name("dlx"), ensure=False)
        message = aio_pika.Message(
            body, headers=dict(headers.items()), delivery_mode=aio_pika.DeliveryMode.PERSISTENT
        )
        await dlx.publish(message, routing_key="ingress", timeout=PUBLISH_TIMEOUT)

    async def ping(self) -> str:
        """Usable when the robust connection is up."""
        connection = self._connection
        if connection is None or connection.is_closed or not connection.connected.is_set():
            raise BrokerUnavailable("not connected to RabbitMQ (reconnecting)")
        return f"connected, {len(self._declared)} delivery queues"

    async def aclose(self) -> None:
        """Close the connection (consumers stop; unacked messages go back to their queues)."""
        connection, self._connection = self._connection, None
        attempts, self._attempts = self._attempts, None
        if attempts is not None:
            attempts.detach()
        if connection is not None:
            with contextlib.suppress(*AMQP_ERRORS):
                await connection.close()

    async def _declare_common(self, channel: AbstractChannel) -> None:
        dlx = await channel.declare_exchange(
            self.name("dlx"), aio_pika.ExchangeType.FANOUT, durable=True
        )
        dlq = await channel.declare_queue(
            self.name("dlq"),
            durable=True,
            arguments={"x-queue-type": "quorum", "x-max-length": DLQ_MAX_LENGTH},
        )
        await dlq.bind(dlx)
        self._deliveries = await channel.declare_exchange(
            self.name("deliveries"), aio_pika.ExchangeType.DIRECT, durable=True
        )
        ingress = await channel.declare_exchange(
            self.name("ingress"), aio_pika.ExchangeType.DIRECT, durable=True
        )
        queue = await channel.declare_queue(
            self.name("ingress"), durable=True, arguments=self._quorum()
        )
        for collection in INGRESS_COLLECTIONS:
            await queue.bind(ingress, routing_key=collection)
        jobs = await channel.declare_exchange(
            self.name("jobs"), aio_pika.ExchangeType.DIRECT, durable=True
        )
        for kind in JOB_KINDS:
            job_queue = await channel.declare_queue(
                self.name(kind), durable=True, arguments=self._quorum()
            )
            await job_queue.bind(jobs, routing_key=kind)

    async def _declare_destination(self, destination: str) -> None:
        if self._publisher is None or self._deliveries is None:
            raise BrokerUnavailable("the RabbitMQ binding is not started")
        queue = await self._publisher.declare_queue(
            self.name(f"delivery.{destination}"), durable=True, arguments=self._quorum()
        )
        await queue.bind(self._deliveries, routing_key=destination)
        self._declared.add(destination)

    def _quorum(self) -> dict[str, Any]:
        return {"x-queue-type": "quorum", "x-dead-letter-exchange": self.name("dlx")}

    async def _consume(
        self, queue_name: str, handler: IngressHandler, *, prefetch: int | None = None
    ) -> None:
        if self._connection is None:
            raise BrokerUnavailable("the RabbitMQ binding is not started")
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=prefetch or self._prefetch)
        # Declared (same arguments: a no-op), not ``get_queue``: only a declared queue is
        # registered with the robust channel, which re-consumes it after a reconnect.
        queue = await channel.declare_queue(queue_name, durable=True, arguments=self._quorum())
        await queue.consume(handler, no_ack=False)


INGRESS_COLLECTIONS: Final = ("reports", "certifications", "restorations", "roster")
JOB_KINDS: Final = ("comparison",)
"""The hub's own work queues on ``P.jobs``: the comparison's city partitions."""


def _deliveries(handler: Handler) -> IngressHandler:
    """Adapt a delivery handler to an incoming AMQP message: ack only after it returned."""

    async def on_message(message: AbstractIncomingMessage) -> None:
        attempts = message.headers.get("attempts", 0)
        operation = message.headers.get("operation", "")
        envelope = Envelope(
            delivery_id=str(message.message_id),
            destination=message.routing_key or "",
            operation=str(operation),
            payload=message.body,
            correlation_id=message.correlation_id,
            attempts=int(attempts) if isinstance(attempts, int) else 0,
        )
        try:
            verdict = await handler(envelope)
        except Exception:  # not handled: back on the queue after a pause
            log.exception("delivery %s not handled; requeued", envelope.delivery_id)
            await asyncio.sleep(REQUEUE_PAUSE)
            await settle(message, requeue=True)
            return
        await settle(message, requeue=None if verdict is Verdict.ACK else False)

    return on_message


async def settle(message: AbstractIncomingMessage, *, requeue: bool | None) -> None:
    """Ack (``requeue`` None), reject to the DLX (False) or requeue (True); a lost channel is
    fine: the broker redelivers and the dispatcher's delivered-id check absorbs it."""
    with contextlib.suppress(*AMQP_ERRORS):
        if requeue is None:
            await message.ack()
        else:
            await message.reject(requeue=requeue)
