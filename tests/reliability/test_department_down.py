"""The ministry failing 100%: the circuit opens, deliveries wait, then go to the DLQ after
their last attempt; nothing is lost; ``certhub dlq replay`` delivers each once when it heals.

Production footprint (PostgreSQL + RabbitMQ, one ``all`` process); the replay
runs as a separate ``certhub dlq replay`` process beside the running hub.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from .kit import Deployment, metric, push_all, queue_depth, report, until

pytestmark = pytest.mark.slow

MESSAGES = 300
MAX_ATTEMPTS = 3
OPEN = 2.0  # certhub_adapter_circuit_state: 0 closed, 1 half-open, 2 open


async def test_failing_ministry_opens_the_circuit_dead_letters_and_replay_delivers_once(
    deployment_factory: Callable[..., Deployment], pg_database: str
) -> None:
    deployment = deployment_factory(
        database_url=pg_database,
        broker="rabbitmq",
        extra_env={"CERTHUB_DELIVERY_MAX_ATTEMPTS": str(MAX_ATTEMPTS)},
    )
    ministry = deployment.ministry
    ministry.failing = True
    hub = deployment.process("hub", role="all")
    hub.start()
    await hub.ready()
    messages = deployment.parties.certifications(MESSAGES)
    expected = {m.delivery_id for m in messages if m.delivery_id}
    started = time.monotonic()
    log = await push_all(hub.url, messages)
    assert len(log.accepted) == MESSAGES  # ingress does not depend on the department

    seen = {"open": False, "waiting": 0}

    async def circuit_open() -> bool:
        values = await hub.metrics()
        seen["waiting"] = max(
            seen["waiting"], int(metric(values, "certhub_outbox_backlog_messages"))
        )
        return metric(values, "certhub_adapter_circuit_state", adapter="ministry") == OPEN

    opened_after = await until(circuit_open, 30, "circuit open")

    async def all_dead() -> bool:
        states = await deployment.outbox_states()
        assert set(states) == expected  # nothing lost at any moment
        return set(states.values()) == {"dead"}

    try:
        dead_after = await until(all_dead, 60, "every delivery dead-lettered", pause=0.5)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; {await deployment.diagnosis()}") from None
    assert ministry.effects == set()  # no effect while failing
    assert seen["waiting"] > 0  # they waited (retries) before the DLQ

    async def dlq_gauges() -> bool:
        values = await hub.metrics()
        return metric(values, "certhub_dlq_messages") == MESSAGES

    await until(dlq_gauges, 10, "certhub_dlq_messages")
    values = await hub.metrics()
    assert metric(values, "certhub_deliveries_total", outcome="dead_lettered") == MESSAGES
    assert metric(values, "certhub_outbox_backlog_messages") == 0
    assert await queue_depth(deployment.prefix, "dlq") == MESSAGES  # the broker's mirror
    listed = deployment.cli("dlq", "list", "--adapter", "ministry", "--database-url", pg_database)
    assert listed.returncode == 0, listed.stderr
    assert f"{MESSAGES} dead letter(s)" in listed.stdout
    assert f"attempts={MAX_ATTEMPTS}" in listed.stdout

    ministry.failing = False  # the department heals
    refused_calls = sum(ministry.refused.values())
    # In a thread: this loop serves the counting ministry, and the hub delivers the replayed
    # rows while the CLI is still exiting; a blocked loop would time out the hub's calls and
    # count a retried call as a repeat.
    replay = await asyncio.to_thread(
        deployment.cli, "dlq", "replay", "--adapter", "ministry", "--database-url", pg_database
    )
    assert replay.returncode == 0, replay.stderr
    assert f"replayed {MESSAGES} dead letter(s)" in replay.stdout
    replayed_at = time.monotonic()
    drained = await deployment.drained(expected, seconds=60)

    assert ministry.effects == expected  # each delivered …
    assert ministry.repeated == {}  # … exactly once, not even a repeated call
    audit = await deployment.query(
        "SELECT action, count(*) FROM audit WHERE action IN"
        " ('dead_lettered','dlq_replayed','delivered') GROUP BY action"
    )
    assert dict(audit) == {
        "dead_lettered": MESSAGES,
        "dlq_replayed": MESSAGES,
        "delivered": MESSAGES,
    }

    async def healed() -> bool:
        values = await hub.metrics()
        return (
            metric(values, "certhub_dlq_messages") == 0
            and metric(values, "certhub_adapter_circuit_state", adapter="ministry") == 0
        )

    await until(healed, 10, "gauges back to normal")
    report(
        "department down",
        messages=MESSAGES,
        circuit_open_after_s=round(opened_after, 1),
        all_dead_after_s=round(dead_after + opened_after, 1),
        max_backlog_while_failing=seen["waiting"],
        refused_calls_while_failing=refused_calls,
        delivered_after_replay_s=round(drained, 1),
        total_s=round(time.monotonic() - started, 1),
        replay_to_drained_s=round(time.monotonic() - replayed_at, 1),
        raw_calls_after_heal=sum(ministry.accepted.values()),
    )
