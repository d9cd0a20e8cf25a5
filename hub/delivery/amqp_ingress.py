"""Inbound AMQP: departments publish signed JWS messages to the ingress exchange.

The routing key names the collection, as the HTTP path does (``reports``,
``certifications``, ``restorations``, ``roster``), and each message goes through exactly
the same :meth:`~certhub.hub.ingress.pipeline.IngressPipeline.accept` with the same
intake plan and size limit as ``POST /v1/<collection>``. An accepted message is acked
after it is durably in the ledger (a receipt is published to ``reply_to`` when the
sender asked for one, unless it names one of the hub's own queues); a refused one is
copied to the DLQ with its problem type in the headers, then acked, as is one the hub
fails on (``internal-error``, logged); a ledger that cannot commit leaves the message on
the queue. A message that lost a race (``conflict``: what its plan read of the person
changed before it committed, nothing stored) is planned again on what committed, as an
HTTP sender retries its 409: a bank terminal's proof of life must not wait in the DLQ
for an operator.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

import aiormq
from aio_pika.abc import AbstractIncomingMessage

from certhub.hub.delivery.rabbit import AMQP_ERRORS, RabbitBroker, settle
from certhub.hub.ingress.pipeline import Accepted, IngressPipeline, Plan
from certhub.hub.problems import problem_for
from certhub.hub.store import Conflict, RecordKind, StoreUnavailable
from certhub.monitoring.labels import sender_label
from certhub.monitoring.metrics import HubMetrics
from certhub.schemas import Refusal
from certhub.security import SecurityError

log = logging.getLogger(__name__)

ROUTES: Mapping[str, tuple[RecordKind, frozenset[str]]] = {
    "reports": (RecordKind.REPORT, frozenset({"eligibility_report/v1", "zero_report/v1"})),
    "certifications": (RecordKind.CERTIFICATION, frozenset({"certification_event/v1"})),
    "restorations": (RecordKind.RESTORATION, frozenset({"restoration/v1"})),
    "roster": (RecordKind.ROSTER, frozenset({"benefit_record/v1"})),
}

CONFLICT_ATTEMPTS = 3
"""Plans of one message that may lose a race before it is refused (a race is lost to a
write that committed milliseconds before; losing three in a row is no race)."""


class AmqpIngress:
    """Consumes the ingress queue into the ledger."""

    def __init__(
        self,
        broker: RabbitBroker,
        pipeline: IngressPipeline,
        plan: Plan,
        metrics: HubMetrics,
        *,
        max_bytes: int,
    ) -> None:
        """Accept through ``pipeline`` with the intake ``plan``; count as HTTP pushes count.

        ``max_bytes`` is the largest signed message, as for an HTTP push (``max_body_bytes``).
        """
        self._max_bytes = max_bytes
        self._broker = broker
        self._pipeline = pipeline
        self._plan = plan
        self._metrics = metrics

    async def start(self) -> None:
        """Begin consuming."""
        await self._broker.consume_ingress(self.on_message)

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        """Verify, validate and record one message; settle it accordingly."""
        route = ROUTES.get(message.routing_key or "")
        try:
            if route is None:
                raise Refusal("not-found", f"no collection {message.routing_key!r}")
            if len(message.body) > self._max_bytes:  # as an HTTP push: refused unread
                raise Refusal(
                    "body-too-large", f"a signed message may be at most {self._max_bytes} bytes"
                )
            accepted = await self._accept(message.body, *route)
        except StoreUnavailable:
            await settle(message, requeue=True)  # not stored: try again later
            return
        except Refusal as exc:
            # The same counters as an HTTP push: the signature-failure alert sees AMQP too.
            self._metrics.count_rejection(exc.slug, security=isinstance(exc, SecurityError))
            await self._refuse(message, exc)
            return
        except Exception as exc:  # the hub's own failure (logged): as HTTP's 500, stored nothing
            await self._refuse(message, exc)  # dead-lettered, not left unsettled to come back
            return
        record = accepted.outcome.record
        sender = sender_label(accepted.message.sender, accepted.message.trusted.role)
        self._metrics.count_verified(
            record.message_type, sender, accepted.payload, created=accepted.outcome.created
        )
        if message.reply_to:
            await self._reply(message, record.receipt, record.sequence)
        await settle(message, requeue=None)

    async def _accept(self, body: bytes, kind: RecordKind, types: frozenset[str]) -> Accepted:
        """Accept ``body``, planned again while it loses a race (``conflict``)."""
        for attempt in range(1, CONFLICT_ATTEMPTS):
            try:
                return await self._pipeline.accept(
                    body, kind=kind, allowed_types=types, plan=self._plan
                )
            except Conflict as exc:
                if exc.slug != "conflict":
                    raise
                log.info("inbound AMQP message lost a race (attempt %d); planning again", attempt)
        return await self._pipeline.accept(body, kind=kind, allowed_types=types, plan=self._plan)

    async def _refuse(self, message: AbstractIncomingMessage, exc: Exception) -> None:
        problem = problem_for(exc, where=f"AMQP {message.routing_key}")
        log.info("inbound AMQP message refused: %s", problem.slug)
        headers: dict[str, str] = {
            "x-problem-type": problem.type_uri,
            "x-routing-key": message.routing_key or "",
        }
        try:
            await self._broker.dead_letter(message.body, headers)
        except AMQP_ERRORS:
            await settle(message, requeue=True)  # the copy failed: keep the original
            return
        await settle(message, requeue=None)

    async def _reply(self, message: AbstractIncomingMessage, receipt: str, seq: int) -> None:
        if str(message.reply_to).startswith(self._broker.name("")):
            # Published with the hub's rights to the queue named: never its own delivery,
            # job or ingress queues, where the receipt would be taken for work.
            log.info("receipt reply not sent: reply_to names a queue of the hub's own")
            return
        body = json.dumps({"sequence": seq, "receipt": receipt}).encode()
        properties = aiormq.spec.Basic.Properties(
            correlation_id=message.correlation_id, content_type="application/json"
        )
        try:
            await message.channel.basic_publish(
                body, routing_key=str(message.reply_to), properties=properties
            )
        except AMQP_ERRORS as exc:  # a receipt is a courtesy; the ledger record is what counts
            log.info("receipt reply not sent: %s", exc)
