"""Certifications through an adapter count as pushed ones do, refusals included (16 §3).

A bank terminal's event over AMQP is a certification on the dashboard, and a
bad bank signature reaches ``certhub_signature_failures_total``, the counter
the signature-failure alert watches.
"""

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

from certhub.hub.core.keys import METRICS
from certhub.mocks.bank import BankTerminalPublisher, TerminalFault


async def test_bank_terminal_events_are_counted_and_bad_signatures_reach_the_alert(
    inbound_hub_factory: Callable[..., Any],
    publisher: BankTerminalPublisher,
    topology: Topology,
    amqp: AbstractRobustConnection,
    tmp_path: Path,
) -> None:
    keys = tmp_path / "banks.jwks.json"
    publisher.trust_store().save(keys)
    hub: Hub = await inbound_hub_factory({"bank_terminals": topology.settings(keys)})
    natives = [publisher.native(code) for code in ("102", "103")]
    for native in natives:
        await publisher.publish(
            publisher.sign(native, jti=f"j-{native['lsh']}"),
            content_type="application/jose",
            code=native["yhdm"],
        )
    body, content_type = publisher.faulty(TerminalFault.bad_signature, "104")
    await publisher.publish(body, content_type=content_type, code="104")
    await dead_letters(amqp, topology.dlq, 1)
    value = hub.client.app[METRICS].registry.get_sample_value

    async def counted() -> bool:
        received = {"type": "certification_event/v1", "sender": "adapter:bank_terminals"}
        return value("certhub_messages_received_total", received | {"outcome": "accepted"}) == 2

    await eventually(counted)
    certifications = hub.client.app[METRICS].certifications.collect()[0].samples
    assert sum(s.value for s in certifications if s.name.endswith("_total")) == 2
    assert value("certhub_signature_failures_total", {"reason": "signature-invalid"}) == 1
    await hub.client.close()  # the consumer stops before the ledger closes
