"""``kill -9`` under load, twice: nothing acknowledged is lost, nothing is done twice in effect.

5,000 self-service certifications (each causes one ministry delivery) plus 100
invalid ones are pushed by 24 concurrent senders while the hub process is
SIGKILLed twice at random moments and restarted. Senders behave as the API
asks: a lost connection or 429/503 is resent with the same token. Then:

* every message answered 202 is in the ledger exactly once;
* every message answered with an error (the invalid ones, 422) is not stored;
* every accepted message's delivery reached the counting ministry — one
  distinct effect per delivery id, none missing, none unexpected — and the
  raw repeated calls (allowed: the ministry is idempotent by
  ``Idempotency-Key``) are reported and bounded by the work in flight at a kill.

Both footprints run: the production one (PostgreSQL ledger, RabbitMQ broker)
and the embedded one (SQLite ledger, in-process broker).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

import pytest

from .kit import Deployment, HubProcess, PushLog, push_all, report, until

pytestmark = pytest.mark.slow

VALID = 5000
INVALID_EVERY = 51  # 5,100 messages: 100 invalid
KILLS = 2
IN_FLIGHT_BOUND = 64  # deliveries one process may have between call and record, per kill


async def killer(hub: HubProcess, log: PushLog, total: int, rng: random.Random) -> list[float]:
    """SIGKILL ``hub`` at two random points of the run and restart it; the kill times."""
    moments = [rng.uniform(0.15, 0.40), rng.uniform(0.55, 0.80)]
    killed_at: list[float] = []
    for fraction in moments:

        async def reached(point: float = fraction * total) -> bool:
            return log.answered >= point

        await until(reached, 150, "kill point", pause=0.01)
        await asyncio.sleep(rng.uniform(0, 0.3))  # not in step with the answers
        hub.kill9()
        killed_at.append(log.answered / total)
        await asyncio.sleep(rng.uniform(0.1, 1.0))
        hub.start()
        await hub.ready()
    return killed_at


@pytest.mark.parametrize("footprint", ["postgres+rabbitmq", "sqlite+memory"])
async def test_kill9_twice_under_load_loses_nothing_and_repeats_no_effect(
    footprint: str,
    deployment_factory: Callable[..., Deployment],
    request: pytest.FixtureRequest,
) -> None:
    if footprint == "postgres+rabbitmq":
        database = request.getfixturevalue("pg_database")
        deployment = deployment_factory(database_url=database, broker="rabbitmq")
    else:
        deployment = deployment_factory()
    hub = deployment.process("hub", role="all")
    hub.start()
    await hub.ready()
    messages = deployment.parties.certifications(
        VALID + VALID // (INVALID_EVERY - 1), invalid_every=INVALID_EVERY
    )
    valid = {m.message_id for m in messages if m.delivery_id}
    invalid = {m.message_id for m in messages if not m.delivery_id}
    expected = {m.delivery_id for m in messages if m.delivery_id}
    assert len(valid) == VALID

    seed = random.randrange(1 << 30)
    log = PushLog()
    started = time.monotonic()
    kills, _ = await asyncio.gather(
        killer(hub, log, len(messages), random.Random(seed)),
        push_all(hub.url, messages, log=log, deadline=150),
    )
    pushed = time.monotonic() - started
    assert hub.kills == KILLS

    assert log.accepted == valid, f"seed {seed}"
    assert set(log.refused) == invalid
    assert set(log.refused.values()) == {422}
    drained = await deployment.drained(expected, seconds=120)

    ledger = await deployment.ledger_counts()
    assert set(ledger) == log.accepted  # every 202 stored, no refused message stored
    assert set(ledger.values()) == {1}  # … exactly once
    assert set(await deployment.outbox_states()) == expected  # one delivery per 202
    assert await deployment.delivered_ids() >= expected

    ministry = deployment.ministry
    assert ministry.effects == expected  # delivered, none lost, none invented
    repeated = ministry.repeated
    assert len(repeated) <= KILLS * IN_FLIGHT_BOUND, repeated
    report(
        f"kill -9 x2 ({footprint})",
        seed=seed,
        killed_at_fraction=[round(k, 2) for k in kills],
        accepted=len(log.accepted),
        refused_422=len(log.refused),
        resent_after_connection_loss=log.transport_errors,
        resent_after_429_503=log.overloaded,
        push_s=round(pushed, 1),
        drain_after_push_s=round(drained, 1),
        raw_calls=sum(ministry.accepted.values()),
        distinct_effects=len(ministry.effects),
        ids_called_twice=len(repeated),
    )
