"""Singletons of a deployment: loops that run in one process only, the leader of a PostgreSQL lock.

Some background loops act on the world rather than on their own process:
the ministry pull asks the ministry for new results and moves one cursor.
With several hub processes on one database, exactly one of them should run
each such loop. :meth:`Leadership.running` contends for a session-level
advisory lock named after the loop, on a connection of its own:

* the process that takes the lock leads and runs the loops; it checks its
  connection every ``retry`` seconds and stops them as soon as the check
  fails (the server may already have given the lock to another process);
* the others try again every ``retry`` seconds, so when the leader dies its
  session ends, the server frees the lock and a follower takes over within
  about ``retry`` seconds. TCP keepalives on the connection bound how long
  the server waits on a leader whose machine vanished.

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

from certhub.hub.core.periodic import running

__all__ = ["LEADER_LOCK_CLASS", "Leadership"]

log = logging.getLogger(__name__)

LEADER_LOCK_CLASS: Final = 0x63657274  # "cert": first key of the leaders' two-key advisory locks
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
    """Runs singleton loops in the one process of the deployment that holds their lock."""

    def __init__(self, url: str | None, *, retry: float = 2.0) -> None:
        """Contend on the database at ``url`` (None: the only process, always leading)."""
        self._url = url
        self._retry = retry
        self._leading: set[str] = set()

    @staticmethod
    def session_name(name: str) -> str:
        """The lock session's ``application_name``: which process leads is one query away."""
        return f"certhub leader {name} pid {os.getpid()}"

    def leads(self, name: str) -> bool:
        """Whether this process runs singleton ``name`` now."""
        return self._url is None or name in self._leading

    @contextlib.asynccontextmanager
    async def running(self, name: str, *loops: Loop) -> AsyncIterator[None]:
        """Run ``loops`` whenever this process leads ``name``, for the body of an ``async with``."""
        if self._url is None:
            async with running(*(loop() for loop in loops)):
                yield
            return
        async with running(self._contend(self._url, name, loops)):
            yield

    async def _contend(self, url: str, name: str, loops: tuple[Loop, ...]) -> None:
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(
                    url,
                    timeout=_CONNECT_TIMEOUT,
                    server_settings={"application_name": self.session_name(name), **_KEEPALIVES},
                )
                await self._take(conn, name)
                await self._lead(conn, name, loops)
            except _LOST as exc:
                log.warning("singleton %s: lock connection lost: %s", name, exc)
            finally:
                if name in self._leading:
                    self._leading.discard(name)
                    log.warning("singleton %s: no longer leading in this process", name)
                if conn is not None:
                    conn.terminate()  # ends the session: the server frees the lock at once
            await asyncio.sleep(self._retry)

    async def _take(self, conn: asyncpg.Connection, name: str) -> None:
        """Wait until this session holds the lock of ``name``."""
        take = "SELECT pg_try_advisory_lock($1, hashtext($2))"
        while True:  # polled: the lock's release is the server's news, which no event brings here
            if await asyncio.wait_for(conn.fetchval(take, LEADER_LOCK_CLASS, name), self._retry):
                return
            await asyncio.sleep(self._retry)

    async def _lead(self, conn: asyncpg.Connection, name: str, loops: tuple[Loop, ...]) -> None:
        """Run the loops while the lock's connection answers."""
        self._leading.add(name)
        log.info("singleton %s: leading in this process", name)
        async with running(*(loop() for loop in loops)):
            while True:
                await asyncio.sleep(self._retry)
                await asyncio.wait_for(conn.fetchval("SELECT 1"), self._retry)
