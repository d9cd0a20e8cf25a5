"""Background loops of the running hub: one way to repeat a step, one way to start and stop.

Every loop (the outbox relay and monitor, the ministry pull, the compliance
gauges, the trust-store watch) is :func:`every` around its own step, and is
started and stopped by :class:`BackgroundTasks` or :func:`running`, so each
has the same guarantees: a failed round is logged and the next round comes
(a loop that dies silently would stall deliveries or freeze gauges), and
shutdown cancels the task and waits until it has really ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, NoReturn

__all__ = ["BackgroundTasks", "every", "running"]

log = logging.getLogger(__name__)


async def every(
    interval: float,
    step: Callable[[], Awaitable[object]],
    *,
    what: str,
    expected: tuple[type[Exception], ...] = (),
    wake: asyncio.Event | None = None,
    wait_first: bool = False,
) -> NoReturn:
    """Run ``step`` every ``interval`` seconds until cancelled.

    Args:
        what: names the loop in log lines.
        expected: failures that are part of life (a broker away, a locked store):
            one warning line each; any other exception is logged with its traceback.
            Either way the next round comes.
        wake: when given, setting it starts the next round at once.
        wait_first: wait one interval before the first round (its caller ran one already).
    """
    if wait_first:
        await _pause(interval, wake)
    while True:
        try:
            await step()
        except expected as exc:
            log.warning("%s: round failed, trying again next round: %s", what, exc)
        except Exception:
            log.exception("%s: round failed, trying again next round", what)
        await _pause(interval, wake)


async def _pause(interval: float, wake: asyncio.Event | None) -> None:
    if wake is None:
        await asyncio.sleep(interval)
        return
    wake.clear()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), interval)


class BackgroundTasks:
    """Tasks that live as long as their owner; :meth:`stop` ends them all and waits."""

    def __init__(self) -> None:
        """Start with no task."""
        self._tasks: list[asyncio.Task[Any]] = []

    def start(self, coroutine: Coroutine[Any, Any, object]) -> None:
        """Run ``coroutine`` as a task until :meth:`stop`."""
        self._tasks.append(asyncio.create_task(coroutine))

    async def stop(self) -> None:
        """Cancel every task, then wait for each to end (newest first)."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in reversed(tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task


@contextlib.asynccontextmanager
async def running(*coroutines: Coroutine[Any, Any, object]) -> AsyncIterator[None]:
    """Run ``coroutines`` as tasks for the body of an ``async with`` (a cleanup context)."""
    tasks = BackgroundTasks()
    for coroutine in coroutines:
        tasks.start(coroutine)
    try:
        yield
    finally:
        await tasks.stop()
