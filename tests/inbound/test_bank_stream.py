"""Bank terminal events end to end: RabbitMQ → adapter → InboundIngestor → ledger."""

from __future__ import annotations

from banksupport import DeadLetters, eventually, publish_signed
from hubkit import Hub

from certhub.adapters.bank.terminal import REASON_HEADER
from certhub.hub.core.keys import METRICS
from certhub.mocks.bank import BankTerminalPublisher, TerminalFault


async def _stored(hub: Hub, count: int) -> None:
    async def enough() -> bool:
        return await hub.stored() >= count

    await eventually(enough)


async def test_signed_terminal_events_reach_the_ledger_and_bad_ones_the_dlq(
    bank_terminal_hub: Hub,
    publisher: BankTerminalPublisher,
    dead_lettered: DeadLetters,
) -> None:
    hub = bank_terminal_hub
    natives = [publisher.native(code) for code in ("102", "103", "104")]
    await publish_signed(publisher, natives)
    body, content_type = publisher.faulty(TerminalFault.oversized, "105")
    await publisher.publish(body, content_type=content_type, code="105")
    await _stored(hub, 3)
    [letter] = await dead_lettered(1)
    assert letter.headers[REASON_HEADER] == "oversized"
    # the same message again (a bank's redelivery) changes nothing
    await publish_signed(publisher, natives[:1])
    registry = hub.client.app[METRICS].registry
    labels = {"adapter": "bank_terminals", "operation": "deliver", "outcome": "ok"}

    async def delivered() -> bool:
        return registry.get_sample_value("certhub_adapter_requests_total", labels) == 4

    await eventually(delivered)
    assert await hub.stored() == 3
    _, page = await hub.pull("/v1/certifications")
    assert {item["sender"] for item in page["items"]} == {"adapter:bank_terminals"}
    assert sorted(i["payload"]["channel"]["code"] for i in page["items"]) == ["102", "103", "104"]
    await hub.client.close()  # the consumer stops before the ledger closes
