"""The terminal consumer in trouble: a ledger outage, a message it fails on.

Before, a message whose ingest failed for a transient reason (the ledger cannot commit)
was nacked at once and redelivered at once: for as long as the outage lasted, each
prefetched message went round the broker and the hub as fast as they could carry it
(thousands of attempts a second, a core's worth of work doing nothing).
"""

# ruff: noqa: F811 - the RabbitMQ fixtures are imported from the support kit

from __future__ import annotations

import time
from typing import Any

import pytest
from banksupport import (  # noqa: F401 - fixtures
    DeadLetters,
    Ingested,
    StartAdapter,
    amqp,
    dead_lettered,
    publisher,
    start_adapter,
    topology,
)

from certhub.adapters import DepartmentUnavailable
from certhub.adapters.bank import terminal
from certhub.adapters.bank.terminal import REASON_HEADER, REDELIVERY_PAUSE
from certhub.adapters.bank.terminal_inspect import inspect_message
from certhub.mocks.bank import BankTerminalPublisher
from certhub.schemas import CertificationEvent

OUTAGE = 1.5  # seconds


class LedgerAway(Ingested):
    """An ingest whose ledger cannot commit for the first OUTAGE seconds."""

    def __init__(self) -> None:
        super().__init__()
        self.back_at = time.monotonic() + OUTAGE

    async def __call__(self, event: CertificationEvent, message_id: str) -> None:
        if time.monotonic() < self.back_at:
            self.calls += 1
            raise DepartmentUnavailable("the ledger cannot commit right now")
        await super().__call__(event, message_id)


async def test_an_outage_redelivers_at_a_pace_and_ingests_once_after(
    start_adapter: StartAdapter, publisher: BankTerminalPublisher
) -> None:
    ingest = LedgerAway()
    await start_adapter(ingest)
    await publisher.publish(
        publisher.sign(publisher.native("301")), content_type="application/jose"
    )
    await ingest.until(lambda: len(ingest.events) == 1)
    assert ingest.calls <= OUTAGE / REDELIVERY_PAUSE + 2  # the failed attempts, and the one
    assert len(ingest.events) == 1


async def test_a_message_the_consumer_fails_on_is_dead_lettered_and_the_rest_processed(
    start_adapter: StartAdapter,
    publisher: BankTerminalPublisher,
    dead_lettered: DeadLetters,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before, an exception out of the checks left the message unsettled: a prefetch slot
    held until the channel closed, then the message back to fail again, for ever."""
    checks = inspect_message
    bad = publisher.sign(publisher.native("104"))

    def inspect(body: bytes, *args: Any, **kw: Any) -> Any:
        if body == bad:
            raise RuntimeError("a check's bug")
        return checks(body, *args, **kw)

    monkeypatch.setattr(terminal, "inspect_message", inspect)
    ingest = Ingested()
    await start_adapter(ingest)
    await publisher.publish(bad, content_type="application/jose", code="104")
    good = publisher.native("104")
    await publisher.publish(publisher.sign(good), content_type="application/jose", code="104")
    [letter] = await dead_lettered(1)
    assert letter.headers[REASON_HEADER] == "internal"
    await ingest.until(lambda: len(ingest.events) == 1)
