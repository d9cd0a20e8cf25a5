"""Bank terminal certification events over AMQP (aio-pika), acked only once ingested.

Implements :class:`~certhub.adapters.protocols.CertificationStream`. At start the
adapter connects (under the resilience policy), declares the banks' exchange,
its queue, and a dead-letter exchange + queue of its own, then consumes:

* a good message (see :mod:`certhub.adapters.bank.terminal_inspect`) is handed to the
  hub's ingest callback and acked only after the callback returns; a
  :class:`~certhub.adapters.errors.TransientError` from the callback nacks it for
  redelivery after :data:`REDELIVERY_PAUSE`;
* anything else — wrong content type, oversized, unsigned, wrongly signed,
  malformed, unknown bank, an invalid record, a record the hub refuses, or one
  the checks themselves fail on (``internal``, logged) — is
  republished to the dead-letter exchange with ``x-certhub-reason`` and
  ``x-certhub-detail`` headers (publisher-confirmed) and only then acked.
  If even that fails, the message is rejected and the queue's own
  ``x-dead-letter-exchange`` catches it: nothing is silently dropped.

Freshness of ``iat`` is not checked: a broker legitimately holds messages
while the hub is down. Re-deliveries are harmless — the message id
``bank<code>.<serial>`` (the bank's serial, not the random ``jti``) makes
ingesting idempotent, and the hub takes a certification its reconciliation
file recorded first as the same one (``hub/ingress/bank_twins.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import Any, ClassVar

import aio_pika
import aio_pika.exceptions
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)
from pydantic import AnyHttpUrl, Field, SecretStr

from certhub.schemas import mask_ids_in_text
from certhub.security.trust import TrustStoreFile

from ..base import Adapter, AdapterOptions
from ..config import AdapterConfig
from ..errors import DepartmentUnavailable, RequestRejected, TransientError
from ..local_reporting.signed import PlatformKeys
from ..protocols import CertificationIngest
from .terminal_inspect import MESSAGE_TYPE, DeadLetter, inspect_message

log = logging.getLogger(__name__)

__all__ = ["BANK_CODES", "REDELIVERY_PAUSE", "BankTerminalAdapter", "BankTerminalConfig"]

BANK_CODES = frozenset({"102", "103", "104", "105", "301", "308", "403", "402"})
"""The eight banks of 社银合作 by their PBoC codes: ICBC, ABC, BOC, CCB, BOCOM, CMB,
PSBC and the rural credit cooperatives (广东农信)."""

REDELIVERY_PAUSE = 1.0
"""Seconds a message whose ingest failed for a passing reason waits before going back."""
REASON_HEADER = "x-certhub-reason"
DETAIL_HEADER = "x-certhub-detail"


class BankTerminalConfig(AdapterConfig):
    """Broker, topology and the banks' keys of the terminal-event consumer."""

    base_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1/"), description="Unused: the banks push to us."
    )
    amqp_url: SecretStr = Field(
        default=SecretStr("amqp://guest:guest@127.0.0.1:5672/"), description="RabbitMQ URL."
    )
    exchange: str = Field(default="bank.terminal-certifications", min_length=1)
    routing_key: str = Field(default="certification.#", min_length=1)
    queue: str = Field(default="certhub.bank.terminal-certifications", min_length=1)
    dead_letter_exchange: str = Field(default="certhub.bank.dlx", min_length=1)
    dead_letter_queue: str = Field(default="certhub.bank.dlq", min_length=1)
    bank_keys_path: Path = Field(description="JWK Set (trust store) of the banks' keys.")
    bank_codes: frozenset[str] = Field(default=BANK_CODES, min_length=1)
    max_message_bytes: int = Field(default=64 * 1024, ge=256)
    prefetch: int = Field(default=64, ge=1, le=10_000)


class BankTerminalAdapter(Adapter[BankTerminalConfig]):
    """Consumes the banks' signed terminal certification events."""

    name: ClassVar[str] = "bank_terminals"
    operations: ClassVar[frozenset[str]] = frozenset({"connect", "deliver"})
    transient_errors: ClassVar[tuple[type[TransientError], ...]] = (DepartmentUnavailable,)
    native_types: ClassVar[frozenset[str]] = frozenset({MESSAGE_TYPE})  # for trust add --may-send

    def __init__(self, config: BankTerminalConfig, options: AdapterOptions) -> None:
        """Load the banks' public keys."""
        super().__init__(config, options)
        self.bank_keys = PlatformKeys(config.bank_keys_path, what="bank keys")
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._dlx: AbstractExchange | None = None
        self._queue: AbstractQueue | None = None
        self._tag: str | None = None
        self._ingest: CertificationIngest | None = None
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def trust_files(self) -> dict[str, TrustStoreFile]:
        """The key files the hub reloads for this adapter (by a name for its logs)."""
        return {self.name: self.bank_keys.file}

    async def start(self, ingest: CertificationIngest) -> None:
        """Connect, declare the topology and start consuming."""
        self._ingest = ingest
        self._connection = await self.call("connect", self._connect)
        try:
            with _translate_amqp_errors():
                await self._declare_and_consume(self._connection)
        except BaseException:
            await self.aclose()
            raise

    async def _connect(self) -> AbstractRobustConnection:
        with _translate_amqp_errors():
            return await aio_pika.connect_robust(
                self.config.amqp_url.get_secret_value(),
                timeout=self.config.connect_timeout,
                client_properties={"connection_name": "certhub bank_terminals"},
            )

    async def _declare_and_consume(self, connection: AbstractRobustConnection) -> None:
        cfg = self.config
        channel = self._channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=cfg.prefetch)
        self._dlx = await channel.declare_exchange(
            cfg.dead_letter_exchange, aio_pika.ExchangeType.FANOUT, durable=True
        )
        dlq = await channel.declare_queue(cfg.dead_letter_queue, durable=True)
        await dlq.bind(self._dlx)
        exchange = await channel.declare_exchange(
            cfg.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        self._queue = await channel.declare_queue(
            cfg.queue, durable=True, arguments={"x-dead-letter-exchange": cfg.dead_letter_exchange}
        )
        await self._queue.bind(exchange, routing_key=cfg.routing_key)
        self._tag = await self._queue.consume(self._on_message)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        self._in_flight += 1
        self._idle.clear()
        started = time.perf_counter()
        outcome = "error"
        try:
            outcome = await self._handle(message)
        finally:
            self._observe(outcome, time.perf_counter() - started)
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    async def _handle(self, message: AbstractIncomingMessage) -> str:
        cfg = self.config
        try:
            checked = inspect_message(
                message.body,
                message.content_type,
                verifier=self.bank_keys.verifier,  # the file as the hub last reloaded it
                bank_codes=cfg.bank_codes,
                max_bytes=cfg.max_message_bytes,
            )
        except Exception as exc:  # a check's own failure: kept with why, never left unsettled
            log.exception("bank terminal message not checked")
            checked = DeadLetter("internal", f"{type(exc).__name__} while checking", "error")
        if isinstance(checked, DeadLetter):
            if checked.outcome == "signature":
                self.options.metrics.count_signature_failure()
            await self._dead_letter(message, checked)
            return checked.outcome
        assert self._ingest is not None  # noqa: S101 - set by start()
        try:
            await self._ingest(checked.event, checked.message_id)
        except TransientError:
            # back on the queue after a pause: at once, it came back at once, for the outage
            await asyncio.sleep(REDELIVERY_PAUSE)
            await message.nack(requeue=True)
            return "unavailable"
        except Exception as exc:  # the hub refused it: keep it, with the reason
            refusal = DeadLetter("ingest_refused", f"{type(exc).__name__}: {exc}", "rejected")
            await self._dead_letter(message, refusal)
            return "rejected"
        await message.ack()
        return "ok"

    async def _dead_letter(self, message: AbstractIncomingMessage, letter: DeadLetter) -> None:
        assert self._dlx is not None  # noqa: S101 - set by start()
        headers: dict[str, Any] = dict(message.headers or {})
        headers[REASON_HEADER] = letter.reason
        headers[DETAIL_HEADER] = mask_ids_in_text(letter.detail)[:500]
        headers["x-certhub-queue"] = self.config.queue
        copy = aio_pika.Message(
            body=message.body,
            headers=headers,
            content_type=message.content_type,
            message_id=message.message_id,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        try:
            await self._dlx.publish(copy, routing_key=message.routing_key or "")
        except (aio_pika.exceptions.AMQPError, ConnectionError, OSError):
            await message.reject(requeue=False)  # the queue's own DLX keeps it
            return
        await message.ack()

    def _observe(self, outcome: str, seconds: float) -> None:
        metrics = self.options.metrics
        metrics.requests.labels(self.name, "deliver", outcome).inc()
        metrics.duration.labels(self.name, "deliver").observe(seconds)

    async def aclose(self) -> None:
        """Stop consuming, let in-flight messages finish (briefly), close the connection."""
        if self._queue is not None and self._tag is not None:
            with contextlib.suppress(aio_pika.exceptions.AMQPError, ConnectionError, OSError):
                await self._queue.cancel(self._tag)
            self._tag = None
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5.0):
                await self._idle.wait()
        if self._connection is not None:
            with contextlib.suppress(aio_pika.exceptions.AMQPError, ConnectionError, OSError):
                await self._connection.close()
            self._connection = None


@contextlib.contextmanager
def _translate_amqp_errors() -> Any:
    """aio-pika / aiormq errors become certhub adapter errors."""
    try:
        yield
    except aio_pika.exceptions.ChannelClosed as exc:
        raise RequestRejected(f"broker refused: {type(exc).__name__}") from exc
    except (aio_pika.exceptions.AMQPError, ConnectionError, OSError) as exc:
        raise DepartmentUnavailable(f"broker unreachable: {type(exc).__name__}") from exc
