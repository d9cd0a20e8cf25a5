"""The broker seam: publish with confirm, consume with manual ack, dead-letter.

Two bindings implement it: :class:`~certhub.hub.delivery.memory.InProcessBroker`
(the embedded default) and :class:`~certhub.hub.delivery.rabbit.RabbitBroker`.
Neither holds the truth about a delivery: the outbox table does. A broker
only moves envelopes from the relay to a consumer; what it loses in a crash
the relay publishes again.

Exceptions::

    BrokerError
    └── BrokerUnavailable   cannot publish or consume now (connection lost, not confirmed)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from certhub.hub.store.outbox import OutboxRow


class BrokerError(Exception):
    """Root of the broker bindings' errors."""


class BrokerUnavailable(BrokerError):
    """The broker cannot take or hand out messages now; the outbox keeps them."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """One delivery on its way through the broker."""

    delivery_id: str
    destination: str
    operation: str
    payload: bytes
    correlation_id: str | None
    attempts: int

    @classmethod
    def of(cls, row: OutboxRow) -> Envelope:
        """The envelope of an outbox row."""
        return cls(
            row.delivery_id,
            row.destination,
            row.operation,
            row.payload,
            row.correlation_id,
            row.attempts,
        )


class Verdict(StrEnum):
    """What the consumer's broker does with a message once the handler returns."""

    ACK = "ack"  # delivered, or its retry is recorded in the outbox
    DEAD = "dead"  # dead-lettered in the outbox; the broker's DLQ gets a copy


Handler = Callable[[Envelope], Awaitable[Verdict]]
"""Handles one envelope; raising means "not handled": the broker hands it out again."""


class Broker(Protocol):
    """Moves envelopes from the relay to the consumers."""

    @property
    def durable(self) -> bool:
        """Whether a confirmed publish survives a crash of this process."""
        ...

    async def start(self, destinations: Collection[str], handler: Handler | None) -> None:
        """Declare what the destinations need; consume them with ``handler`` unless None."""
        ...

    async def publish(self, envelope: Envelope) -> None:
        """Return once the broker confirmed ``envelope``; raise :class:`BrokerUnavailable`."""
        ...

    async def ping(self) -> str:
        """A short detail when usable; raise :class:`BrokerUnavailable` otherwise."""
        ...

    async def aclose(self) -> None:
        """Stop consuming and disconnect."""
        ...
