"""A bounded stop: a process asked to stop exits within a bound, and says what it waited for.

Stopping waits for things that normally end at once: requests in flight, the
ingress processes, background loops being cancelled, pools being closed, the
threads of ``asyncio.to_thread``. One that never ends (a connection never given
back, a task that swallowed its cancellation, a thread blocked in a call)
would keep the process alive until an orchestrator kills it with SIGKILL,
saying nothing. :class:`StopWatchdog` is armed when the stop begins; if the
process is still there ``bound`` seconds later it logs, at ERROR, every task
and generator still waiting and every thread's stack (:func:`waiting_for`),
then exits with :data:`FORCED_EXIT_CODE`. A timer thread does this, so a loop
blocked in a call cannot hold it up.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from types import FrameType
from typing import Any

__all__ = ["FORCED_EXIT_CODE", "StopWatchdog", "waiting_for"]

log = logging.getLogger(__name__)

FORCED_EXIT_CODE = 70  # EX_SOFTWARE: the process ended itself, its stop unfinished
_DEPTH = 40  # frames shown per task or thread


class StopWatchdog:
    """Exits the process ``bound`` seconds after :meth:`arm`, logging what the stop waits for."""

    def __init__(self, bound: float, *, exit: Callable[[int], Any] = os._exit) -> None:
        """``exit`` ends the process (tests pass a recorder)."""
        self.bound = bound
        self._exit = exit
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def arm(self, reason: str) -> None:
        """Start counting (once; later calls do nothing). Called from the event loop's thread."""
        with self._lock:
            if self._timer is not None:
                return
            self._loop = asyncio.get_running_loop()
            self._timer = threading.Timer(self.bound, self._expire, (reason,))
            self._timer.name = "certhub-stop-watchdog"
            self._timer.daemon = True
            self._timer.start()

    def disarm(self) -> None:
        """The stop finished: do nothing after all."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()

    def _expire(self, reason: str) -> None:
        log.error(
            "certhub did not stop within %.0f s of %s; exiting now. Still waiting for:\n%s",
            self.bound,
            reason,
            waiting_for(self._loop),
            extra={"event": "stop_forced", "reason": reason, "bound_seconds": self.bound},
        )
        logging.shutdown()  # flush every handler: the process ends without its usual exit path
        self._exit(FORCED_EXIT_CODE)


def waiting_for(loop: asyncio.AbstractEventLoop | None) -> str:
    """Every pending task and suspended async generator of ``loop``, innermost await last,
    and every other thread's stack: where a stop is stuck.

    Read from another thread while the loop may run: a best-effort picture.
    """
    parts: list[str] = []
    if loop is not None:
        for task in _safely(lambda: list(asyncio.all_tasks(loop))):
            parts.append(f"task {task.get_name()}:\n{_awaits(task.get_coro())}")
        # an app's cleanup contexts are async generators: a task awaiting one shows only anext()
        generators = _safely(lambda: list(getattr(loop, "_asyncgens", ())))
        for generator in generators:
            if getattr(generator, "ag_await", None) is not None:
                parts.append(f"async generator {generator.__qualname__}:\n{_awaits(generator)}")
    current = threading.get_ident()
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    for ident, frame in sys._current_frames().items():
        if ident != current:
            parts.append(f"thread {names.get(ident, ident)}:\n{_frames(frame)}")
    return "\n".join(parts)


def _safely(read: Callable[[], list[Any]]) -> list[Any]:
    """``read()``, or nothing if the loop changed the collection under it."""
    try:
        return read()
    except RuntimeError:
        return []


def _awaits(awaitable: object) -> str:
    """The chain of coroutines ``awaitable`` is suspended in, down to the object awaited last."""
    lines: list[str] = []
    while awaitable is not None and len(lines) < _DEPTH:
        frame = _frame_of(awaitable)
        if frame is None:
            lines.append(f"  awaiting {awaitable!r:.300}")
            break
        code = frame.f_code
        lines.append(f"  {code.co_filename}:{frame.f_lineno} in {code.co_qualname}")
        awaitable = next(
            (
                inner
                for name in ("cr_await", "gi_yieldfrom", "ag_await")
                if (inner := getattr(awaitable, name, None)) is not None
            ),
            None,
        )
    return "\n".join(lines)


def _frame_of(awaitable: object) -> FrameType | None:
    for name in ("cr_frame", "gi_frame", "ag_frame"):
        frame = getattr(awaitable, name, None)
        if frame is not None:
            return frame  # type: ignore[no-any-return]
    return None


def _frames(frame: FrameType) -> str:
    return "".join(traceback.format_stack(frame, limit=_DEPTH)).rstrip()
