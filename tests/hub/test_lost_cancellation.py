"""Background loops end when cancelled, even when what they wait for arrives at that moment.

On Python 3.11, ``asyncio.wait_for`` cancelled in the loop turn where the
awaited thing completes returns its result and drops the cancellation. A
loop waiting that way polls on forever while shutdown awaits it: an ingress
process of ``serve --processes 2`` stuck so in the leader-lock contender
never stopped, and its first process waited for it until killed (cpython
gh-86296). These tests hit that turn exactly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from certhub.hub.core.leader import Leadership
from certhub.hub.core.periodic import FailingRounds, cancel_and_wait, every


class AnsweringConnection:
    """A leader-lock connection whose next answer the test gives."""

    def __init__(self) -> None:
        self.answer: asyncio.Future[Any] | None = None
        self.asked = asyncio.Event()

    def add_termination_listener(self, callback: Callable[[Any], None]) -> None:
        """Its session never ends here."""

    async def fetchval(self, query: str, *args: object) -> Any:
        """Wait for the test's answer to ``query``."""
        self.answer = asyncio.get_running_loop().create_future()
        self.asked.set()
        return await self.answer


async def cancelled_as_answered(task: asyncio.Task[Any], answer: Callable[[], object]) -> bool:
    """``answer()``, cancel in the same turn; whether ``task`` then ends cancelled within 1 s."""
    answer()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=1.0)
    if not done:
        task.cancel()  # again, so the loop does not outlive the test
        await asyncio.wait({task}, timeout=1.0)
    return bool(done) and task.cancelled()


async def test_the_leader_lock_contender_ends_when_cancelled_as_the_server_answers() -> None:
    connection = AnsweringConnection()
    leadership = Leadership("postgresql://unused", retry=5.0)
    rounds = FailingRounds("leader lock", logger=logging.getLogger(__name__))
    contender = asyncio.create_task(leadership._take(connection, rounds))  # type: ignore[arg-type]
    await asyncio.wait_for(connection.asked.wait(), 1.0)  # it asked for the lock
    answer = connection.answer
    assert answer is not None
    assert await cancelled_as_answered(contender, lambda: answer.set_result(False))


async def test_the_leader_ends_when_cancelled_as_its_check_answers() -> None:
    connection = AnsweringConnection()
    leadership = Leadership("postgresql://unused", retry=0.01)
    leading = asyncio.create_task(leadership._lead(connection))  # type: ignore[arg-type]
    await asyncio.wait_for(connection.asked.wait(), 1.0)  # its first "SELECT 1"
    answer = connection.answer
    assert answer is not None
    assert await cancelled_as_answered(leading, lambda: answer.set_result(1))


async def test_a_woken_loop_ends_when_cancelled_as_it_is_woken() -> None:
    wake = asyncio.Event()
    rounds = 0

    async def step() -> None:
        nonlocal rounds
        rounds += 1

    loop = asyncio.create_task(every(60.0, step, what="relay", wake=wake, wait_first=True))
    await asyncio.sleep(0.01)  # waiting for its wake-up (or its minute)
    assert await cancelled_as_answered(loop, wake.set)
    assert rounds == 0


async def test_a_stop_cancelled_while_it_waits_is_cancelled_too() -> None:
    # The task being stopped winds down slowly; the stop itself is cancelled meanwhile
    # (a shutdown's bound): it must end cancelled, not carry on as if it had finished.
    wound_down = asyncio.Event()

    async def slow_to_end() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            wound_down.set()

    inner = asyncio.create_task(slow_to_end())
    await asyncio.sleep(0)
    carried_on: list[str] = []

    async def stopping() -> None:
        await cancel_and_wait(inner)
        carried_on.append("after the stop")

    stop = asyncio.create_task(stopping())
    await asyncio.sleep(0)  # the stop now waits for ``inner``
    stop.cancel()
    await asyncio.gather(stop, return_exceptions=True)
    assert stop.cancelled()
    assert carried_on == []
    assert inner.cancelled()
    assert wound_down.is_set()


async def test_stopping_tasks_cancels_them_without_raising() -> None:
    tasks = [asyncio.create_task(asyncio.sleep(3600)) for _ in range(3)]
    await asyncio.sleep(0)
    await cancel_and_wait(*tasks)
    assert all(task.cancelled() for task in tasks)
