"""Where a paced request's time goes in the hub: a probe ``bench/ingress_tail.py`` loads.

Python imports ``sitecustomize`` at start-up from ``PYTHONPATH``; this one
does something only in a process started as ``certhub ... serve`` with
``CERTHUB_TAIL_PROBE`` naming a file (the signature helper and every other
process are untouched). It wraps, without changing what they do:

- each group commit (``SqliteLedger._commit``): its start, end and size;
- the presign wait (``Presigning.ready``);
- every call handed to the commit thread (``COMMIT``, a WAL reset): when it
  was submitted, started and ended, the thread's CPU and its time runnable
  but waiting for a CPU during the call (``/proc/self/task/<tid>/schedstat``);
- each passive checkpoint, each signature-helper round trip, each queued
  ledger write, and each HTTP request (aiohttp's handler, start to answer);
- the event loop itself: a watchdog thread posts a callback every few
  milliseconds and records each stall over 10 ms with what the loop thread
  did meanwhile (ran, or waited for a CPU).

Rows are appended to the file as JSON lines once a second:
``[kind, values...]``, times from ``time.perf_counter`` (CLOCK_MONOTONIC,
so comparable with the load generator's in another process).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from importlib.abc import MetaPathFinder
from typing import Any

OUT = os.environ.get("CERTHUB_TAIL_PROBE")
STALL = 0.010  # seconds: a loop that answers later than this is recorded

_rows: list[list[Any]] = []
_clock = time.perf_counter


def record(kind: str, *values: Any) -> None:
    """Keep one row (list.append is atomic under the GIL: any thread may call this)."""
    _rows.append([kind, *values])


def _flush_forever(path: str) -> None:
    while True:
        time.sleep(1.0)
        taken = len(_rows)
        batch, _rows[:taken] = _rows[:taken], []
        with open(path, "a", encoding="utf-8") as out:
            out.writelines(json.dumps(row) + "\n" for row in batch)


def schedstat(tid: int) -> tuple[int, int]:
    """(ns on a CPU, ns runnable but waiting for one) of thread ``tid`` of this process."""
    try:
        with open(f"/proc/self/task/{tid}/schedstat", encoding="ascii") as stat:
            ran, waited, _slices = stat.read().split()
    except OSError:
        return 0, 0
    return int(ran), int(waited)


def _watch_loop(loop: Any, tid: int) -> None:
    """Post a callback to the loop, see how long it takes to run; record the long ones."""
    answered = [0.0]

    def answer() -> None:
        answered[0] = _clock()

    while True:
        answered[0] = 0.0
        posted, before = _clock(), schedstat(tid)
        loop.call_soon_threadsafe(answer)
        while not answered[0]:
            time.sleep(0.002)
        lag = answered[0] - posted
        if lag > STALL:
            after = schedstat(tid)
            ran, waited = ((a - b) / 1e9 for a, b in zip(after, before, strict=True))
            record("stall", posted, lag, ran, waited)
        time.sleep(0.003)


def _timed(kind: str, coroutine_function: Callable[..., Any]) -> Callable[..., Any]:
    """An async method that records ``kind`` with its start and end (and ``extra(args)``)."""

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = _clock()
        result = await coroutine_function(*args, **kwargs)
        record(kind, started, _clock())
        return result

    return wrapper


def install() -> None:
    """Wrap the hub's pieces (called as ``certhub.hub.cli.main`` is first imported).

    The imports are here, not at the top: every Python process started with this
    folder on its path imports this module, and only a probed hub needs the hub.
    """
    from aiohttp import web_protocol  # noqa: PLC0415

    from certhub.hub.store import group_commit, presign  # noqa: PLC0415
    from certhub.hub.store.sqlite import ledger, wal  # noqa: PLC0415
    from certhub.security import offload  # noqa: PLC0415

    class TimedExecutor(ThreadPoolExecutor):
        """The commit thread, each call timed on it."""

        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            submitted = _clock()
            what = args[0] if args and isinstance(args[0], str) else fn.__name__

            def run() -> Any:
                tid = threading.get_native_id()
                started, before = _clock(), schedstat(tid)
                try:
                    return fn(*args, **kwargs)
                finally:
                    after = schedstat(tid)
                    ran, waited = ((a - b) / 1e9 for a, b in zip(after, before, strict=True))
                    record("commit_thread", what, submitted, started, _clock(), ran, waited)

            return super().submit(run)

    original_init = ledger.SqliteLedger.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self._committer = TimedExecutor(max_workers=1, thread_name_prefix="ledger-commit")

    original_commit = ledger.SqliteLedger._commit
    watching: list[bool] = []

    async def commit(self: Any, batch: list[Any]) -> Any:
        if not watching:
            watching.append(True)
            loop, tid = asyncio.get_running_loop(), threading.get_native_id()
            threading.Thread(target=_watch_loop, args=(loop, tid), daemon=True).start()
        started = _clock()
        outcome = await original_commit(self, batch)
        record("batch", started, _clock(), len(batch))
        return outcome

    original_checkpoint = wal.WalCheckpointer._checkpoint

    def checkpoint(self: Any, mode: str) -> None:
        started = _clock()
        try:
            original_checkpoint(self, mode)
        finally:
            record("checkpoint", mode, started, _clock())

    ledger.SqliteLedger.__init__ = init  # type: ignore[method-assign]
    ledger.SqliteLedger._commit = commit  # type: ignore[method-assign]
    wal.WalCheckpointer._checkpoint = checkpoint  # type: ignore[method-assign]
    presign.Presigning.ready = _timed("presign_wait", presign.Presigning.ready)  # type: ignore[method-assign]
    offload.SignatureHelper._submit = _timed("helper", offload.SignatureHelper._submit)  # type: ignore[method-assign]
    queue = group_commit.GroupCommitQueue
    queue._submit = _timed("write", queue._submit)  # type: ignore[method-assign]
    handler = web_protocol.RequestHandler
    handler._handle_request = _timed("request", handler._handle_request)  # type: ignore[method-assign]


class _InstallBeforeMain(MetaPathFinder):
    """Installs the probe when the CLI's module is first looked up, then steps aside."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "certhub.hub.cli.main" and self in sys.meta_path:
            sys.meta_path.remove(self)
            install()


if OUT and "serve" in sys.argv:
    threading.Thread(target=_flush_forever, args=(OUT,), daemon=True).start()
    sys.meta_path.insert(0, _InstallBeforeMain())
