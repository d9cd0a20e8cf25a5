"""Singletons of a deployment: loops that run in one process only, the leader of a PostgreSQL lock.

Some background loops act on the world rather than on their own process:
the ministry pull asks the ministry for new results and moves one cursor;
the sweeps (task deadlines, suspension proposals, reminders) write the
hub's own records. With several hub processes on one database, exactly one
of them should run these. Each process contends for one session-level
advisory lock, the deployment's *leader lock*, on one connection of its own
(whatever the number of singletons), its second key the deployment's schema:

* the process that takes the lock leads and runs every singleton loop
  registered with :meth:`Leadership.running`; it stops the loops as soon as
  its session ends (the server gives the lock to another process then), and
  checks its connection every ``retry`` seconds for a silent loss;
* the others try again every ``retry`` seconds, so when the leader dies its
  session ends, the server frees the lock and a follower takes over within
  about ``retry`` seconds. TCP keepalives on the connection bound how long
  the server waits on a leader whose machine vanished.

The contender is cancelled at shutdown, so its waits are bounded with
``asyncio.timeout``, never ``asyncio.wait_for``: on Python 3.11, ``wait_for``
cancelled just as its query answers returns the answer and drops the
cancellation, and the contender would poll on forever while shutdown awaits
it (an ingress process then never stopped; cpython gh-86296).

Leadership is a courtesy, not a fence: a leader cut off from the database
may run a little longer than its lock, so singleton loops stay idempotent
(the ministry pull records each result under its own message id). Without a
database (the embedded SQLite ledger: one process) the loops simply run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, Final

import asyncpg

from certhub.hub.core.periodic import BackgroundTasks, FailingRounds, cancel_and_wait

__all__ = ["LEADER_LOCK_CLASS", "Leadership"]

log = logging.getLogger(__name__)

LEADER_LOCK_CLASS: Final = 0x6C656164  # "lead": the first key of the leader lock …
# … and the second names the deployment's schema: advisory locks are the whole database's,
# and two deployments sharing one (a schema each) must each have a leader.
_TAKE: Final = (
    "SELECT pg_try_advisory_lock($1, hashtext(coalesce(current_schema(), '')) & 2147483647)"
)
_CONNECT_TIMEOUT: Final = 10.0
# The server drops a silent leader's session (and frees its lock) after about 10 + 3 * 5 s.
_KEEPALIVES: Final = {
    "tcp_keepalives_idle": "10",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "3",
}
_LOST: Final = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)

Loop = Callable[[], Coroutine[Any, Any, object]]
"""Makes one run of a singleton loop (it may run again after leadership comes back)."""


class Leadership:
    """Runs singleton loops in the one process of the deployment that holds the leader lock."""

    def __init__(self, url: str | None, *, retry: float = 2.0) -> None:
        """Contend on the database at ``url`` (None: the only process, always leading)."""
        self._url = url
        self._retry = retry
        self._loops: dict[str, tuple[Loop, ...]] = {}
        self._running: dict[str, BackgroundTasks] = {}
        self._leading = False
        self._contender: asyncio.Task[None] | None = None

    @staticmethod
    def session_name() -> str:
        """The lock session's ``application_name``: which process leads is one query away."""
        return f"certhub leader pid {os.getpid()}"

    def leads(self, name: str) -> bool:
        """Whether this process runs singleton ``name`` now."""
        return name in self._running

    @contextlib.asynccontextmanager
    async def running(self, name: str, *loops: Loop) -> AsyncIterator[None]:
        """Run ``loops`` whenever this process leads, for the body of an ``async with``."""
        self._loops[name] = loops
        if self._url is None or self._leading:
            self._start(name)
        if self._url is not None and self._contender is None:
            self._contender = asyncio.create_task(self._contend(self._url))
        try:
            yield
        finally:
            del self._loops[name]
            await self._stop(name)
            if not self._loops and self._contender is not None:
                contender, self._contender = self._contender, None
                await cancel_and_wait(contender)

    def _start(self, name: str) -> None:
        if name in self._running:
            return
        tasks = self._running[name] = BackgroundTasks()
        for loop in self._loops[name]:
            tasks.start(loop())

    async def _stop(self, name: str) -> None:
        tasks = self._running.pop(name, None)
        if tasks is not None:
            await tasks.stop()

    async def _contend(self, url: str) -> None:
        # every process retries every few seconds: an outage logs its start, one line a minute
        # and its end, as the background loops do
        failing = FailingRounds("leader lock", logger=log)
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(
                    url,
                    timeout=_CONNECT_TIMEOUT,
                    server_settings={"application_name": self.session_name(), **_KEEPALIVES},
                )
                await self._take(conn, failing)
                await self._lead(conn)
            except _LOST as exc:
                failing.failed(exc, traceback=False)
            finally:
                await self._step_down()
                if conn is not None:
                    conn.terminate()  # ends the session: the server frees the lock at once
            await asyncio.sleep(self._retry)

    async def _take(self, conn: asyncpg.Connection, failing: FailingRounds) -> None:
        """Wait until this session holds the deployment's leader lock."""
        while True:  # polled: the lock's release is the server's news, which no event brings here
            async with asyncio.timeout(self._retry):  # not wait_for: see the module's note
                taken = await conn.fetchval(_TAKE, LEADER_LOCK_CLASS)
            failing.succeeded()  # the database answers again
            if taken:
                return
            await asyncio.sleep(self._retry)

    async def _lead(self, conn: asyncpg.Connection) -> None:
        """Run every registered loop while the lock's connection answers.

        A session that ends (killed, the server restarted) ends the lead at once, not
        at the next check: the server gave the lock away as it ended it.
        """
        ended = asyncio.Event()
        conn.add_termination_listener(lambda _: ended.set())
        self._leading = True
        log.info("leading the deployment's singletons: %s", ", ".join(sorted(self._loops)))
        for name in self._loops:
            self._start(name)
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._retry):
                    await ended.wait()
            if ended.is_set():
                raise ConnectionError("the leader lock's session ended")
            async with asyncio.timeout(self._retry):
                await conn.fetchval("SELECT 1")

    async def _step_down(self) -> None:
        if self._leading:
            self._leading = False
            log.warning("no longer leading the deployment's singletons")
        for name in list(self._running):
            await self._stop(name)
