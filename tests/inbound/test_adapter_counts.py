"""Certifications through an adapter count as pushed ones do, refusals included (16 §3).

A bank terminal's event over AMQP is a certification on the dashboard, and a
bad bank signature reaches ``certhub_signature_failures_total``, the counter
the signature-failure alert watches.
"""

from __future__ import annotations

from banksupport import DeadLetters, eventually, publish_signed
from hubkit import Hub

from certhub.hub.core.keys import METRICS
from certhub.mocks.bank import BankTerminalPublisher, TerminalFault


async def test_bank_terminal_events_are_counted_and_bad_signatures_reach_the_alert(
    bank_terminal_hub: Hub,
    publisher: BankTerminalPublisher,
    dead_lettered: DeadLetters,
) -> None:
    hub = bank_terminal_hub
    await publish_signed(publisher, [publisher.native(code) for code in ("102", "103")])
    body, content_type = publisher.faulty(TerminalFault.bad_signature, "104")
    await publisher.publish(body, content_type=content_type, code="104")
    await dead_lettered(1)
    value = hub.client.app[METRICS].registry.get_sample_value

    async def counted() -> bool:
        received = {"type": "certification_event/v1", "sender": "adapter:bank_terminals"}
        return value("certhub_messages_received_total", received | {"outcome": "accepted"}) == 2

    await eventually(counted)
    certifications = hub.client.app[METRICS].certifications.collect()[0].samples
    assert sum(s.value for s in certifications if s.name.endswith("_total")) == 2
    assert value("certhub_signature_failures_total", {"reason": "signature-invalid"}) == 1
    await hub.client.close()  # the consumer stops before the ledger closes
