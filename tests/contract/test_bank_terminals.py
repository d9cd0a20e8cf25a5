"""Bank terminal events over real RabbitMQ: ingested then acked, every fault dead-lettered."""

# ruff: noqa: F811 - the RabbitMQ fixtures are imported from the support kit

from __future__ import annotations

import pytest
from aio_pika.abc import AbstractRobustConnection
from banksupport import (  # noqa: F401 - fixtures
    DeadLetters,
    Ingested,
    StartAdapter,
    Topology,
    amqp,
    dead_lettered,
    publisher,
    start_adapter,
    topology,
)

from certhub.adapters import DepartmentUnavailable, RequestRejected
from certhub.adapters.bank import BankTerminalAdapter
from certhub.adapters.bank.terminal import DETAIL_HEADER, REASON_HEADER
from certhub.mocks.bank import BankTerminalPublisher, TerminalFault
from certhub.schemas import CertificationMethod, ChannelKind

from .support import sample


async def test_signed_events_become_canonical_events_and_are_acked(
    start_adapter: StartAdapter,
    publisher: BankTerminalPublisher,
    amqp: AbstractRobustConnection,
    topology: Topology,
) -> None:
    ingest = Ingested()
    adapter = await start_adapter(ingest)
    natives = [publisher.native(code) for code in ("102", "105", "403")]
    for native in natives:
        await publisher.publish(
            publisher.sign(native), content_type="application/jose", code=native["yhdm"]
        )
    await ingest.until(lambda: len(ingest.events) == 3)
    by_serial = {
        event.remarks.split()[3]: event for event in ingest.events.values() if event.remarks
    }
    for native in natives:
        event = by_serial[native["lsh"]]
        assert event.person.id_number == native["sfzh"]
        assert event.person.name == native["xm"]
        assert event.person.region.county == native["xzqh"]
        assert event.channel.kind is ChannelKind.bank_terminal
        assert event.channel.code == native["yhdm"]
        assert (
            event.method
            is {"1": CertificationMethod.face, "2": CertificationMethod.fingerprint}[native["rzfs"]]
        )
        assert event.remarks
        photos = [(item.sha256, item.kind) for item in event.evidence]
        assert photos == [(native["zpzy"], "onsite_photo")]
    assert all(mid.startswith("bank") for mid in ingest.events)
    await adapter.aclose()
    channel = await amqp.channel()
    queue = await channel.declare_queue(topology.queue, durable=True, passive=True)
    assert queue.declaration_result.message_count == 0  # all acked
    await channel.close()
    registry = adapter.options.metrics.registry
    assert (
        sample(
            registry,
            "certhub_adapter_requests_total",
            adapter="bank_terminals",
            operation="deliver",
            outcome="ok",
        )
        == 3
    )


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (TerminalFault.wrong_content_type, "wrong_content_type"),
        (TerminalFault.oversized, "oversized"),
        (TerminalFault.unsigned, "unsigned"),
        (TerminalFault.bad_signature, "bad_signature"),
        (TerminalFault.unknown_bank, "unknown_bank"),
        (TerminalFault.malformed, "malformed"),
        (TerminalFault.invalid_record, "invalid_record"),
    ],
)
async def test_every_bad_message_is_dead_lettered_with_its_reason_and_the_rest_processed(
    *,
    start_adapter: StartAdapter,
    publisher: BankTerminalPublisher,
    dead_lettered: DeadLetters,
    fault: TerminalFault,
    reason: str,
) -> None:
    ingest = Ingested()
    await start_adapter(ingest)
    body, content_type = publisher.faulty(fault, "104")
    await publisher.publish(body, content_type=content_type, code="104")
    good = publisher.native("104")
    await publisher.publish(publisher.sign(good), content_type="application/jose", code="104")
    [letter] = await dead_lettered(1)
    assert letter.headers[REASON_HEADER] == reason
    assert letter.body == body
    assert good["sfzh"] not in str(letter.headers[DETAIL_HEADER])
    await ingest.until(lambda: len(ingest.events) == 1)
    assert [e.person.id_number for e in ingest.events.values()] == [good["sfzh"]]


async def test_a_bank_signing_for_another_bank_is_dead_lettered(
    start_adapter: StartAdapter,
    publisher: BankTerminalPublisher,
    dead_lettered: DeadLetters,
) -> None:
    await start_adapter(Ingested())
    native = publisher.native("102")
    await publisher.publish(publisher.sign(native, signer="103"), content_type="application/jose")
    [letter] = await dead_lettered(1)
    assert letter.headers[REASON_HEADER] == "bank_mismatch"


async def test_the_message_id_is_the_banks_serial_whatever_the_jti(
    start_adapter: StartAdapter,
    publisher: BankTerminalPublisher,
    dead_lettered: DeadLetters,
) -> None:
    # The serial (lsh) is the one the bank's reconciliation file lists for the same
    # certification; the JWS's jti is random per message. A re-send under a new jti is the
    # same message id (the hub records it once, and finds the file's record by it); a serial
    # the file could not hold is an invalid record — a line break at its end too (before,
    # ``^…$`` with ``re.match`` let ``$`` match before it: the message went on under the id
    # ``bank105.<serial>\n``, dead-lettered ``ingest_refused`` by the hub's message-id check,
    # not ``invalid_record`` naming the field).
    ingest = Ingested()
    await start_adapter(ingest)
    native = publisher.native("105")
    for jti in ("first-send", "re-sent-after-a-timeout"):
        await publisher.publish(
            publisher.sign(native, jti=jti), content_type="application/jose", code="105"
        )
    await ingest.until(lambda: ingest.calls == 2)
    assert list(ingest.events) == [f"bank105.{native['lsh']}"]
    for serial in ("105 2026/03/14 #1", f"{native['lsh']}\n"):
        bad = publisher.native("105", lsh=serial)
        await publisher.publish(publisher.sign(bad), content_type="application/jose", code="105")
    letters = await dead_lettered(2)
    assert [letter.headers[REASON_HEADER] for letter in letters] == ["invalid_record"] * 2
    assert all("lsh" in str(letter.headers[DETAIL_HEADER]) for letter in letters)
    assert ingest.calls == 2  # neither handed to the hub


async def test_a_transient_ingest_failure_redelivers_and_ingests_once(
    start_adapter: StartAdapter, publisher: BankTerminalPublisher
) -> None:
    ingest = Ingested(fail_next=[DepartmentUnavailable("ledger busy")])
    await start_adapter(ingest)
    await publisher.publish(
        publisher.sign(publisher.native("301")), content_type="application/jose"
    )
    await ingest.until(lambda: len(ingest.events) == 1)
    assert ingest.calls == 2
    assert len(ingest.events) == 1


async def test_a_refusal_by_the_hub_is_dead_lettered_not_dropped(
    start_adapter: StartAdapter,
    publisher: BankTerminalPublisher,
    dead_lettered: DeadLetters,
) -> None:
    ingest = Ingested(fail_next=[RequestRejected("hub refused it: replay")])
    await start_adapter(ingest)
    await publisher.publish(
        publisher.sign(publisher.native("308")), content_type="application/jose"
    )
    [letter] = await dead_lettered(1)
    assert letter.headers[REASON_HEADER] == "ingest_refused"
    assert "replay" in str(letter.headers[DETAIL_HEADER])


async def test_an_unreachable_broker_is_a_transient_certhub_error(
    start_adapter: StartAdapter,
) -> None:
    with pytest.raises(DepartmentUnavailable):
        await start_adapter(
            Ingested(),
            amqp_url="amqp://guest:guest@127.0.0.1:1/",
            policy={"attempt_timeout": 1.0, "deadline": 2.0, "max_attempts": 2},
        )


def test_the_adapter_class_is_registered() -> None:
    from certhub.adapters import load_adapter

    assert load_adapter("bank_terminals") is BankTerminalAdapter
