"""The AMQP ingress refuses as the HTTP edge does: one catalogue, one ``problem_for``.

A refused message is copied to the DLQ with its problem type and acked; a
refusal the catalogue does not know (a key file failing mid-message) is the
hub's own failure, dead-lettered as ``internal-error`` like its HTTP answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from prometheus_client import CollectorRegistry
from questionkit import decision_wanted

from certhub.hub.delivery.amqp_ingress import CONFLICT_ATTEMPTS, AmqpIngress
from certhub.hub.delivery.rabbit import RabbitBroker
from certhub.hub.ingress.pipeline import IngressPipeline, Plan
from certhub.hub.store import Conflict, SqliteLedger, StoreUnavailable
from certhub.mocks.population import Population
from certhub.monitoring.metrics import HubMetrics
from certhub.schemas import PROBLEM_TYPE_PREFIX, Refusal
from certhub.security import (
    KeyFileError,
    MessageVerifier,
    ReceiptSigner,
    SigningKey,
    TrustStore,
    UnknownKey,
    sign_compact,
)


@dataclass
class FakeBroker:
    """Records the dead-lettered copies (the only broker call a refusal makes)."""

    dead: list[dict[str, str]] = field(default_factory=list)

    async def dead_letter(self, body: bytes, headers: dict[str, str]) -> None:
        self.dead.append(headers)

    def name(self, suffix: str) -> str:
        return f"certhub.{suffix}"


@dataclass
class FakeMessage:
    """The parts of an incoming aio-pika message the ingress reads, and how it was settled."""

    routing_key: str
    body: bytes = b"x.y.z"
    reply_to: str | None = None
    correlation_id: str | None = None
    channel: Any = None
    settled: list[str] = field(default_factory=list)

    async def ack(self) -> None:
        self.settled.append("ack")

    async def reject(self, requeue: bool = False) -> None:
        self.settled.append("requeue" if requeue else "reject")


@dataclass
class RefusingPipeline:
    """An ingress pipeline whose every message fails with ``error``."""

    error: Exception

    async def accept(self, raw: bytes, **_: Any) -> Any:
        raise self.error


async def _consume(
    error: Exception, routing_key: str = "reports", metrics: HubMetrics | None = None
) -> tuple[FakeBroker, list[str]]:
    broker = FakeBroker()
    pipeline = cast(IngressPipeline, RefusingPipeline(error))
    metrics = metrics or HubMetrics(CollectorRegistry())
    ingress = AmqpIngress(
        cast(RabbitBroker, broker), pipeline, cast(Plan, None), metrics, max_bytes=1024
    )
    message = FakeMessage(routing_key)
    await ingress.on_message(message)  # type: ignore[arg-type]
    return broker, message.settled


@pytest.mark.parametrize(
    ("error", "slug"),
    [
        (UnknownKey("no key 'k1'"), "unknown-key"),
        (Conflict("zero-report-conflict", "reports exist"), "zero-report-conflict"),
        (Refusal("same-actor", "accepted and approved by one person"), "same-actor"),
        (KeyFileError("the hub key cannot be read"), "internal-error"),
    ],
)
async def test_a_refused_message_is_dead_lettered_with_its_catalogue_problem(
    error: Exception, slug: str
) -> None:
    broker, settled = await _consume(error)
    assert [copy["x-problem-type"] for copy in broker.dead] == [PROBLEM_TYPE_PREFIX + slug]
    assert settled == ["ack"]


async def test_a_refusal_over_amqp_is_counted_like_one_over_http() -> None:
    registry = CollectorRegistry()
    await _consume(UnknownKey("no key 'k1'"), metrics=HubMetrics(registry))
    value = registry.get_sample_value
    assert value("certhub_signature_failures_total", {"reason": "unknown-key"}) == 1
    assert value("certhub_ingress_rejections_total", {"reason": "unknown-key"}) == 1


async def test_an_unknown_collection_is_not_found() -> None:
    broker, settled = await _consume(UnknownKey("unused"), routing_key="nowhere")
    assert broker.dead == [
        {"x-problem-type": PROBLEM_TYPE_PREFIX + "not-found", "x-routing-key": "nowhere"}
    ]
    assert settled == ["ack"]


async def test_a_ledger_outage_leaves_the_message_queued() -> None:
    broker, settled = await _consume(StoreUnavailable("disk full"))
    assert (broker.dead, settled) == ([], ["requeue"])


@dataclass
class RacingPipeline:
    """A pipeline whose first ``losses`` plans lose a race (``conflict``, nothing stored);
    the next is accepted."""

    losses: int
    attempts: int = 0

    async def accept(self, raw: bytes, **_: Any) -> Any:
        self.attempts += 1
        if self.attempts <= self.losses:
            raise Conflict("conflict", "the person's benefit changed meanwhile; retry")
        record = SimpleNamespace(message_type="certification_event/v1", receipt="r", sequence=7)
        return SimpleNamespace(
            outcome=SimpleNamespace(record=record, created=False),
            message=SimpleNamespace(sender="bank-gd", trusted=SimpleNamespace(role=None)),
            payload=b"{}",
        )


async def _race(losses: int) -> tuple[FakeBroker, list[str], int]:
    broker, pipeline = FakeBroker(), RacingPipeline(losses)
    metrics = HubMetrics(CollectorRegistry())
    ingress = AmqpIngress(cast(RabbitBroker, broker), cast(IngressPipeline, pipeline),
                          cast(Plan, None), metrics, max_bytes=1024)  # fmt: skip
    message = FakeMessage("certifications")
    await ingress.on_message(message)  # type: ignore[arg-type]
    return broker, message.settled, pipeline.attempts


@pytest.mark.parametrize("losses", [1, CONFLICT_ATTEMPTS - 1])
async def test_a_message_that_lost_a_race_is_planned_again_not_dead_lettered(
    losses: int,
) -> None:
    # A bank terminal's certification raced a roster entry of the same person: over HTTP
    # the sender retries its 409; over AMQP the hub is the one to plan it again.
    broker, settled, attempts = await _race(losses)
    assert (broker.dead, settled, attempts) == ([], ["ack"], losses + 1)


async def test_a_message_losing_every_race_is_dead_lettered_as_conflict() -> None:
    broker, settled, attempts = await _race(CONFLICT_ATTEMPTS)
    assert [copy["x-problem-type"] for copy in broker.dead] == [PROBLEM_TYPE_PREFIX + "conflict"]
    assert (settled, attempts) == (["ack"], CONFLICT_ATTEMPTS)


async def test_a_message_over_the_signed_message_limit_is_dead_lettered_unread() -> None:
    """The limit an HTTP push has (``max_body_bytes``) holds over AMQP too: before, a signed
    message of any size the broker carried was verified and recorded."""
    broker = FakeBroker()
    pipeline = cast(IngressPipeline, RefusingPipeline(AssertionError("read")))
    metrics = HubMetrics(CollectorRegistry())
    ingress = AmqpIngress(
        cast(RabbitBroker, broker), pipeline, cast(Plan, None), metrics, max_bytes=1024
    )
    message = FakeMessage("reports", body=b"x" * 1025)
    await ingress.on_message(message)  # type: ignore[arg-type]
    assert [copy["x-problem-type"] for copy in broker.dead] == [
        PROBLEM_TYPE_PREFIX + "body-too-large"
    ]
    assert message.settled == ["ack"]


@decision_wanted(
    "a signed message the broker held longer than the clock skew (the"
    " hub's workers down 6 minutes, or a backlog) is dead-lettered as clock-skew, though the"
    " broker confirmed it to its sender; is iat's freshness checked over AMQP, as the banks'"
    " terminal consumer does not?"
)
async def test_a_message_queued_past_the_clock_skew_is_recorded(tmp_path: Path) -> None:
    types = {"eligibility_report/v1"}
    key = SigningKey.generate()
    trust = TrustStore.empty().add(key.public_jwk(), sender="city", may_send=types, may_read=False)
    payload = json.dumps(Population().eligibility_report()).encode()
    token = sign_compact(payload, key=key, typ="eligibility_report/v1", sender="city")
    later = datetime.now(UTC) + timedelta(minutes=6)  # when the hub's workers are back
    verifier = MessageVerifier(trust, clock=lambda: later)
    ledger = await SqliteLedger.open(tmp_path / "ledger.db")
    signer = ReceiptSigner(SigningKey.generate())
    pipeline = IngressPipeline(
        verifier=lambda: verifier, store=ledger, receipts=lambda: signer, clock=lambda: later
    )
    broker = FakeBroker()
    ingress = AmqpIngress(
        cast(RabbitBroker, broker),
        pipeline,
        cast(Plan, None),
        HubMetrics(CollectorRegistry()),
        max_bytes=1024 * 1024,
    )
    message = FakeMessage("reports", body=token)
    try:
        await ingress.on_message(message)  # type: ignore[arg-type]
        assert (broker.dead, await ledger.count()) == ([], 1)
    finally:
        await ledger.aclose()


@dataclass
class ReplyChannel:
    """The consumer's channel: what the hub published on it, by routing key."""

    published: list[str] = field(default_factory=list)

    async def basic_publish(self, body: bytes, *, routing_key: str, **_: Any) -> None:
        self.published.append(routing_key)


@pytest.mark.parametrize(
    ("reply_to", "sent"),
    [("amq.rabbitmq.reply-to.g1h2", True), ("city.receipts", True),
     ("certhub.delivery.sms", False), ("certhub.comparison", False), ("certhub.ingress", False)],
)  # fmt: skip
async def test_a_receipt_goes_back_to_the_sender_never_into_the_hubs_own_queues(
    reply_to: str, sent: bool
) -> None:
    """``reply_to`` is the sender's to choose; the hub publishes the receipt with its own rights
    (the default exchange: a queue by its name). Before, a sender naming the hub's delivery
    or job queue had its receipt delivered there, as work for the SMS gateway or a worker."""
    pipeline = cast(IngressPipeline, RacingPipeline(0))
    metrics = HubMetrics(CollectorRegistry())
    ingress = AmqpIngress(
        cast(RabbitBroker, FakeBroker()), pipeline, cast(Plan, None), metrics, max_bytes=1024
    )
    channel = ReplyChannel()
    message = FakeMessage("certifications", reply_to=reply_to, channel=channel)
    await ingress.on_message(message)  # type: ignore[arg-type]
    assert channel.published == ([reply_to] if sent else [])
    assert message.settled == ["ack"]


async def test_a_message_the_hub_fails_on_is_dead_lettered_not_left_unsettled() -> None:
    """As an HTTP push it fails on is answered 500 and stores nothing. Before, the exception
    left the consumer's callback with the message neither acked nor rejected: it held a
    prefetch slot until the channel closed, then came back to fail again, for ever (enough
    of them and the consumer took nothing more)."""
    broker, settled = await _consume(ValueError("a plan's bug"))
    assert [copy["x-problem-type"] for copy in broker.dead] == [
        PROBLEM_TYPE_PREFIX + "internal-error"
    ]
    assert settled == ["ack"]
