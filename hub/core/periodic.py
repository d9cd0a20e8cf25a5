"""Background loops of the running hub: one way to repeat a step, one way to start and stop.

Every loop (the outbox relay and monitor, the ministry pull, the compliance
gauges, the trust-store watch) is :func:`every` around its own step, and is
started and stopped by :class:`BackgroundTasks` or :func:`running`, so each
has the same guarantees: a failed round is logged and the next round comes
(a loop that dies silently would stall deliveries or freeze gauges), and
shutdown cancels the task and waits until it has really ended.

An outage (PostgreSQL or RabbitMQ away) fails every round of every loop, twice
a second for the relay: a loop logs its first failed round, then at most one
"still failing" line per :data:`QUIET_SECONDS` with the count, and one line
when it works again -- a bounded rate, however long the outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Generic, NoReturn, TypeVar

__all__ = [
    "QUIET_SECONDS",
    "BackgroundTasks",
    "FailingRounds",
    "WorkQueue",
    "cancel_and_wait",
    "every",
    "running",
]

log = logging.getLogger(__name__)

QUIET_SECONDS = 60.0
"""While a loop keeps failing, at most one log line per this many seconds."""


async def every(
    interval: float,
    step: Callable[[], Awaitable[object]],
    *,
    what: str,
    expected: tuple[type[Exception], ...] = (),
    wake: asyncio.Event | None = None,
    wait_first: bool = False,
    first_after: float | None = None,
    quiet: float = QUIET_SECONDS,
) -> NoReturn:
    """Run ``step`` every ``interval`` seconds until cancelled.

    Args:
        what: names the loop in log lines.
        expected: failures that are part of life (a broker away, a locked store):
            one warning line each; any other exception is logged with its traceback.
            Either way the next round comes.
        wake: when given, setting it starts the next round at once.
        wait_first: wait one interval before the first round (its caller ran one already).
        first_after: wait this long before the first round instead (a sweep whose interval
            is hours: a process restarted more often than that would never run it).
        quiet: while rounds keep failing, at most one log line per this many seconds.
    """
    if first_after is not None or wait_first:
        await _pause(interval if first_after is None else first_after, wake)
    failing = FailingRounds(what, quiet)
    while True:
        try:
            await step()
        except expected as exc:
            failing.failed(exc, traceback=False)
        except Exception as exc:
            failing.failed(exc, traceback=True)
        else:
            failing.succeeded()
        await _pause(interval, wake)


class FailingRounds:
    """A loop's run of failed rounds, and when it last said so (the log's bounded rate)."""

    def __init__(
        self, what: str, quiet: float = QUIET_SECONDS, logger: logging.Logger = log
    ) -> None:
        """Name the loop ``what`` in ``logger``'s lines; while failing, say so every ``quiet`` s."""
        self._what, self._quiet, self._log = what, quiet, logger
        self._rounds = 0
        self._since = self._said = 0.0

    def failed(self, exc: BaseException, *, traceback: bool) -> None:
        """Count a failed round; log it if it is the first, or the first for ``quiet`` s."""
        now = time.monotonic()
        self._rounds += 1
        if self._rounds == 1:
            self._since = self._said = now
            self._log.warning(
                "%s: round failed, trying again next round: %s",
                self._what,
                exc,
                exc_info=exc if traceback else None,
            )
        elif now - self._said >= self._quiet:
            self._said = now
            self._log.warning(
                "%s: still failing, %d rounds in %.0f s: %s",
                self._what,
                self._rounds,
                now - self._since,
                exc,
            )

    def succeeded(self) -> None:
        """A round worked: end the run of failures, saying so if there was one."""
        if self._rounds:
            self._log.warning(
                "%s: working again after %d failed rounds in %.0f s",
                self._what,
                self._rounds,
                time.monotonic() - self._since,
            )
            self._rounds = 0


async def _pause(interval: float, wake: asyncio.Event | None) -> None:
    if wake is None:
        await asyncio.sleep(interval)
        return
    wake.clear()
    # asyncio.timeout, not wait_for: on Python 3.11 a wait_for cancelled as ``wake`` is set
    # returns and drops the cancellation, and stop() would wait for this loop forever
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(interval):
            await wake.wait()


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
        await cancel_and_wait(*tasks)


async def cancel_and_wait(*tasks: asyncio.Task[Any]) -> None:
    """Cancel ``tasks``, then wait for each to end (the last first).

    Their cancellation is expected and not raised; the caller's own is: a stop
    cancelled while it waits (a shutdown's bound, say) must not carry on as if
    nothing happened, which ``suppress(CancelledError)`` around the wait would
    make it do.
    """
    for task in tasks:
        task.cancel()
    for task in reversed(tasks):
        try:
            await task
        except asyncio.CancelledError:
            caller = asyncio.current_task()
            if caller is not None and caller.cancelling():
                raise


Item = TypeVar("Item")


class WorkQueue(Generic[Item]):
    """An asyncio queue drained by worker tasks of this process, one item each at a time
    (the in-process stand-in for a broker's queue and its competing consumers).

    A failed item never ends its worker: ``on_failure`` is awaited inside the
    handler's ``except`` (so ``log.exception`` has the traceback) and decides
    what becomes of the item.
    """

    def __init__(self, capacity: int = 0) -> None:
        """Hold at most ``capacity`` items (0: no bound); :meth:`put` waits while full."""
        self._queue: asyncio.Queue[Item] = asyncio.Queue(capacity)
        self._workers = BackgroundTasks()

    def start(
        self,
        workers: int,
        handler: Callable[[Item], Awaitable[object]],
        on_failure: Callable[[Item], Awaitable[None]],
    ) -> None:
        """Start ``workers`` tasks, each taking the next item and awaiting ``handler`` on it."""
        for _ in range(workers):
            self._workers.start(self._drain(handler, on_failure))

    async def put(self, item: Item) -> None:
        """Queue ``item`` (waiting for room when the queue is bounded and full)."""
        await self._queue.put(item)

    def qsize(self) -> int:
        """How many items wait."""
        return self._queue.qsize()

    async def stop(self) -> None:
        """Stop the workers; items still queued stay unhandled."""
        await self._workers.stop()

    async def _drain(
        self,
        handler: Callable[[Item], Awaitable[object]],
        on_failure: Callable[[Item], Awaitable[None]],
    ) -> NoReturn:
        while True:
            item = await self._queue.get()
            try:
                await handler(item)
            except Exception:  # a worker outlives any one failure
                await on_failure(item)
            finally:
                self._queue.task_done()


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
