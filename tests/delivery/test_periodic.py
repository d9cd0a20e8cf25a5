"""Background loops (hub.core.periodic): a failed round never ends a loop; stop really stops it."""

from __future__ import annotations

import asyncio

from prometheus_client import CollectorRegistry

from certhub.hub.core.periodic import BackgroundTasks, every, running
from certhub.hub.delivery.backpressure import OutboxMonitor
from certhub.hub.store.outbox import OutboxStats
from certhub.monitoring.metrics import HubMetrics


class FlakyCounts:
    """An outbox whose first count fails with a bug-like error, then answers."""

    def __init__(self) -> None:
        self.calls = 0
        self.answered = asyncio.Event()

    async def outbox_stats(self) -> OutboxStats:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("not a StoreError")
        self.answered.set()
        return OutboxStats(pending=7)


async def test_the_outbox_monitor_outlives_an_unexpected_failure() -> None:
    store = FlakyCounts()
    monitor = OutboxMonitor(
        store,  # type: ignore[arg-type]
        HubMetrics(CollectorRegistry(), version="test"),
        interval=0.001,
    )
    async with running(monitor.run()):
        await asyncio.wait_for(store.answered.wait(), 5)
    assert monitor.stats.backlog == 7


async def test_stop_cancels_and_waits_until_every_loop_has_ended() -> None:
    ended: list[str] = []
    rounds = asyncio.Event()

    async def step() -> None:
        rounds.set()

    async def loop(name: str) -> None:
        try:
            await every(0.001, step, what=name)
        finally:
            ended.append(name)

    tasks = BackgroundTasks()
    tasks.start(loop("a"))
    tasks.start(loop("b"))
    await asyncio.wait_for(rounds.wait(), 5)
    await tasks.stop()
    assert sorted(ended) == ["a", "b"]


async def test_a_wake_starts_the_next_round_before_the_interval() -> None:
    wake = asyncio.Event()
    rounds: list[int] = []
    first, second = asyncio.Event(), asyncio.Event()

    async def step() -> None:
        rounds.append(len(rounds))
        (first if len(rounds) == 1 else second).set()

    async with running(every(3600, step, what="test", wake=wake)):
        await asyncio.wait_for(first.wait(), 5)
        await asyncio.sleep(0)  # let the loop reach its pause (it clears the wake first)
        wake.set()
        await asyncio.wait_for(second.wait(), 5)
    assert rounds == [0, 1]
