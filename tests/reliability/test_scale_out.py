"""Scale-out: one ingress process and three competing workers on PostgreSQL + RabbitMQ.

Each pushed certification causes one ministry delivery; the counting ministry
must see every delivery id exactly once, and the workers' own metrics must
show that the work was shared.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from .kit import Deployment, metric, push_all, report

pytestmark = pytest.mark.slow

MESSAGES = 1200
WORKERS = 3


async def test_three_workers_deliver_each_certification_exactly_once(
    deployment_factory: Callable[..., Deployment], pg_database: str
) -> None:
    deployment = deployment_factory(database_url=pg_database, broker="rabbitmq")
    ingress = deployment.process("ingress", role="ingress")
    ingress.start()
    await ingress.ready()  # migrates the empty database first
    workers = [deployment.process(f"worker-{n}", role="worker") for n in range(WORKERS)]
    for worker in workers:
        worker.start()
    await asyncio.gather(*(worker.ready() for worker in workers))

    messages = deployment.parties.certifications(MESSAGES)
    started = time.monotonic()
    log = await push_all(ingress.url, messages, deadline=120)
    pushed = time.monotonic() - started
    expected = {m.delivery_id for m in messages if m.delivery_id}
    assert log.accepted == {m.message_id for m in messages}, log.refused

    drained = await deployment.drained(expected, seconds=90)
    ledger = await deployment.ledger_counts()
    assert set(ledger) == log.accepted
    assert set(ledger.values()) == {1}
    ministry = deployment.ministry
    assert ministry.effects == expected  # none lost, none invented
    assert ministry.repeated == {}  # no crash here: not even a repeated (idempotent) call
    assert await deployment.delivered_ids() >= expected

    per_worker: dict[str, float] = {}
    for worker in workers:
        values = await worker.metrics()
        per_worker[worker.name] = metric(
            values, "certhub_deliveries_total", adapter="ministry", outcome="delivered"
        )
    ingress_metrics: dict[str, Any] = await ingress.metrics()
    assert metric(ingress_metrics, "certhub_deliveries_total") == 0  # ingress delivers nothing
    assert sum(per_worker.values()) == MESSAGES
    assert sum(1 for n in per_worker.values() if n > 0) >= 2, per_worker
    report(
        "scale-out",
        messages=MESSAGES,
        push_s=round(pushed, 1),
        drain_after_push_s=round(drained, 1),
        per_worker=per_worker,
        raw_calls=sum(ministry.accepted.values()),
        distinct_effects=len(ministry.effects),
    )
