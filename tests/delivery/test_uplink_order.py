"""The uplink's order per pensioner: a question for the ministry's side (decision wanted).

Each certification goes upward on its own outbox row and is retried on its own: a failed
self-service attempt whose push met the ministry down reaches the ministry after the same
pensioner's pass minutes later. Each carries its time (``rzsj``); DESIGN.md does not say
whether the ministry takes a person's state by that time or by arrival.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from deliverykit import commit
from prometheus_client import CollectorRegistry
from questionkit import decision_wanted

from certhub.adapters import DepartmentUnavailable
from certhub.adapters.retry import DurableRetry
from certhub.hub.delivery.broker import Envelope
from certhub.hub.delivery.destinations import UPLINK, uplink_destination
from certhub.hub.delivery.dispatcher import DeliveryDispatcher
from certhub.hub.store.effects import OutboxWrite
from certhub.monitoring.metrics import HubMetrics
from certhub.schemas import CertificationEvent

PERSON = {"id_number": "440102195001011231", "name": "王秀英", "region": {"county": "440103"}}


class Ministry:
    """An uplink that is down for its first call, then records what it was given, in order."""

    def __init__(self) -> None:
        """Down once."""
        self.down = 1
        self.received: list[datetime] = []

    async def push_certification(self, event: CertificationEvent, *, delivery_id: str) -> None:
        """Refuse while down, else record the certification's time."""
        if self.down:
            self.down -= 1
            raise DepartmentUnavailable("HTTP 503", status=503)
        self.received.append(event.occurred_at)


def _event(outcome: str, at: str) -> bytes:
    return CertificationEvent.model_validate(
        {"person": PERSON, "method": "face", "channel": {"kind": "app_gdrs"},
         "outcome": outcome, "occurred_at": at}
    ).model_dump_json().encode()  # fmt: skip


@decision_wanted(
    "a pensioner's failed attempt retried after the ministry's outage"
    " reaches the ministry after their pass minutes later (each with its rzsj): should a"
    " person's later certification wait upward for the earlier one?"
)
async def test_a_pensioners_certifications_reach_the_ministry_in_their_order(ledger: Any) -> None:
    ministry = Ministry()
    policy = DurableRetry(max_attempts=3, backoff_initial=0.01, backoff_max=0.02)
    metrics = HubMetrics(CollectorRegistry(), version="test")
    destinations = {UPLINK: uplink_destination(ministry)}  # type: ignore[arg-type]
    dispatcher = DeliveryDispatcher(ledger, destinations, policy, metrics)
    failed = _event("failed", "2026-01-05T09:00:00+08:00")
    passed = _event("certified", "2026-01-05T09:05:00+08:00")
    await commit(ledger, (OutboxWrite("uplink:a", UPLINK, "push_certification", failed),))
    await commit(ledger, (OutboxWrite("uplink:b", UPLINK, "push_certification", passed),))
    deadline = time.monotonic() + 10
    while len(ministry.received) < 2 and time.monotonic() < deadline:
        for row in await ledger.claim_outbox(10, time.time(), 30):
            await dispatcher.handle(Envelope.of(row))
    assert [at.strftime("%H:%M") for at in ministry.received] == ["09:00", "09:05"]
