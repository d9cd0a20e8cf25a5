"""RabbitMQ unreachable for 20 s under steady load, then back: no loss, the backlog drains,
and the hub's metrics and readiness show both.

The hub (``all`` role, SQLite ledger, RabbitMQ broker) reaches RabbitMQ only
through a TCP proxy the test controls; cutting it aborts every AMQP
connection at once and refuses new ones, as a broker going away does, without
disturbing anything else using the real broker.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import aiohttp
import pytest

from .kit import (
    Deployment,
    HubProcess,
    Message,
    PushLog,
    TcpProxy,
    metric,
    push_all,
    report,
    until,
)

pytestmark = pytest.mark.slow

RATE = 60  # certifications per second, steady
BEFORE, OUTAGE, AFTER = 5.0, 20.0, 5.0


@dataclass
class Sample:
    """One scrape."""

    at: float
    phase: str
    backlog: float
    delivered: float
    ready: int


@dataclass
class Watch:
    """Scrapes ``/metrics`` and ``/readyz`` twice a second."""

    hub: HubProcess
    phase: str = "before"
    samples: list[Sample] = field(default_factory=list)

    async def run(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as session:
            while True:
                phase = self.phase  # the phase when the scrape began
                try:
                    values = await self.hub.metrics()
                    async with session.get(self.hub.url + "/readyz") as answer:
                        ready = answer.status
                except (aiohttp.ClientError, OSError, TimeoutError):
                    await asyncio.sleep(0.5)
                    continue
                self.samples.append(
                    Sample(
                        time.monotonic(),
                        phase,
                        metric(values, "certhub_outbox_backlog_messages"),
                        metric(
                            values,
                            "certhub_deliveries_total",
                            adapter="ministry",
                            outcome="delivered",
                        ),
                        ready,
                    )
                )
                await asyncio.sleep(0.5)

    def of(self, phase: str) -> list[Sample]:
        return [s for s in self.samples if s.phase == phase]


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    """A cuttable path to RabbitMQ."""
    running = TcpProxy()
    await running.start()
    yield running
    await running.aclose()


async def paced(hub: HubProcess, messages: list[Message], log: PushLog, seconds: float) -> None:
    """Push ``RATE`` messages a second for ``seconds`` (in tenths of a second)."""
    step = max(1, RATE // 10)
    begin = time.monotonic()
    tick = 0
    while messages and time.monotonic() - begin < seconds:
        batch, messages[:step] = messages[:step], []
        await push_all(hub.url, batch, concurrency=step, log=log, deadline=30)
        tick += 1
        await asyncio.sleep(max(0.0, begin + tick / 10 - time.monotonic()))


async def test_rabbitmq_outage_of_20s_loses_nothing_and_the_backlog_drains(
    deployment_factory: Callable[..., Deployment], proxy: TcpProxy
) -> None:
    deployment = deployment_factory(broker="rabbitmq", amqp_url=proxy.amqp_url)
    hub = deployment.process("hub", role="all")
    hub.start()
    await hub.ready()
    total = int(RATE * (BEFORE + OUTAGE + AFTER))
    messages = deployment.parties.certifications(total)
    expected = {m.delivery_id for m in messages if m.delivery_id}
    queue = list(messages)
    log = PushLog()
    watch = Watch(hub)
    watching = asyncio.create_task(watch.run())
    try:
        await paced(hub, queue, log, BEFORE)
        watch.phase = "outage"
        proxy.cut()
        cut_at = time.monotonic()
        await paced(hub, queue, log, OUTAGE)
        proxy.restore()
        outage = time.monotonic() - cut_at
        watch.phase = "after"
        await paced(hub, queue, log, AFTER)
        await push_all(hub.url, queue, log=log)  # whatever pacing left over
        pushed_at = time.monotonic()
        drained = await deployment.drained(expected, seconds=60)
        watch.phase = "end"

        async def settled() -> bool:
            end = watch.of("end")
            return bool(end) and end[-1].backlog == 0 and end[-1].delivered == total

        try:
            await until(settled, 15, "metrics: backlog back to 0, every delivery counted")
        except AssertionError as exc:
            values = await hub.metrics()
            counts = {k: v for k, v in values.items() if "deliveries_total" in k or "backlog" in k}
            raise AssertionError(f"{exc}: {counts}; {await deployment.diagnosis()}") from None
    finally:
        watching.cancel()
    assert hub.process is not None
    assert hub.process.poll() is None
    assert log.accepted == {m.message_id for m in messages}  # ingress never stopped
    assert log.refused == {}

    outage_samples = watch.of("outage")
    assert outage_samples, "no scrape during the outage"
    peak = max(s.backlog for s in outage_samples)
    delivered_during = outage_samples[-1].delivered - outage_samples[0].delivered
    pushed_during = RATE * OUTAGE
    assert peak >= 0.8 * pushed_during  # metrics show the backlog growing …
    assert delivered_during <= 64  # … while nothing (beyond work in hand at the cut) is delivered
    assert any(s.ready == 503 for s in outage_samples)  # readiness reports the broker down
    end = watch.of("end")[-1]
    assert end.backlog == 0
    assert end.ready == 200
    assert end.delivered == total

    ministry = deployment.ministry
    assert ministry.effects == expected
    assert len(ministry.repeated) <= 64  # in hand at the cut; the ministry is idempotent by id
    report(
        "RabbitMQ outage",
        messages=total,
        outage_s=round(outage, 1),
        proxy_refused_connects=proxy.refused,
        peak_backlog_during_outage=int(peak),
        delivered_during_outage=int(delivered_during),
        drained_after_last_push_s=round(drained, 1),
        drain_since_restore_s=round(pushed_at + drained - (cut_at + outage), 1),
        raw_calls=sum(ministry.accepted.values()),
        distinct_effects=len(ministry.effects),
        ids_called_twice=len(ministry.repeated),
    )
