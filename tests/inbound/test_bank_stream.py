"""Bank terminal events end to end: RabbitMQ → adapter → InboundIngestor → ledger."""

# ruff: noqa: F811 - the RabbitMQ fixtures are imported from the support kit

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from aio_pika.abc import AbstractRobustConnection
from banksupport import (  # noqa: F401 - fixtures
    Topology,
    amqp,
    dead_letters,
    eventually,
    publisher,
    topology,
)
from hubkit import Hub

from certhub.adapters.bank.terminal import REASON_HEADER
from certhub.hub.core.keys import METRICS
from certhub.mocks.bank import BankTerminalPublisher, TerminalFault


async def _stored(hub: Hub, count: int) -> None:
    async def enough() -> bool:
        return await hub.stored() >= count

    await eventually(enough)


async def test_signed_terminal_events_reach_the_ledger_and_bad_ones_the_dlq(
    inbound_hub_factory: Callable[..., Any],
    publisher: BankTerminalPublisher,
    topology: Topology,
    amqp: AbstractRobustConnection,
    tmp_path: Path,
) -> None:
    keys = tmp_path / "banks.jwks.json"
    publisher.trust_store().save(keys)
    hub: Hub = await inbound_hub_factory({"bank_terminals": topology.settings(keys)})
    natives = [publisher.native(code) for code in ("102", "103", "104")]
    for native in natives:
        await publisher.publish(
            publisher.sign(native, jti=f"j-{native['lsh']}"),
            content_type="application/jose",
            code=native["yhdm"],
        )
    body, content_type = publisher.faulty(TerminalFault.oversized, "105")
    await publisher.publish(body, content_type=content_type, code="105")
    await _stored(hub, 3)
    [letter] = await dead_letters(amqp, topology.dlq, 1)
    assert letter.headers[REASON_HEADER] == "oversized"
    # the same message again (a bank's redelivery) changes nothing
    await publisher.publish(
        publisher.sign(natives[0], jti=f"j-{natives[0]['lsh']}"),
        content_type="application/jose",
        code="102",
    )
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
