"""Turns that hold across the hub's processes: a PostgreSQL advisory lock per key.

A coordinator's sendings of one kind take turns (:mod:`certhub.hub.api.report_bound`):
counted, then recorded or refused, one at a time, so that no burst passes the hourly
bound. In one process an asyncio lock does it; the processes of a deployment share only
the database, so there the turn is PostgreSQL's: a session advisory lock held from the
count until the sending is recorded. A transaction's lock would not do: the count is
read on a pooled connection and the record committed by the group commit on its own.

Each turn holds a connection of a small pool of its own while it waits and while it
lasts, never one of the ledger's: a turn's holder reads its count through the ledger's
pool, and turns holding those would leave it none (eight coordinators at once, and
every read waits). A holder never waits for this pool, so a full one only delays the
next key's turn.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Final

import asyncpg

from certhub.hub.store.base import StoreUnavailable
from certhub.hub.store.postgres.commit import DATABASE_ERRORS, connect_pool

__all__ = ["TURNS_LOCK_CLASS", "TURN_WAIT_SECONDS", "AdvisoryTurns"]

# The two-key advisory locks are a space apart from the one-key locks (the writers', the
# migration's): the first key says "a turn", the second is the turn's key hashed.
TURNS_LOCK_CLASS: Final = 0x63657274  # "cert"
_LOCK: Final = "SELECT pg_advisory_lock($1, hashtext($2))"
_UNLOCK: Final = "SELECT pg_advisory_unlock($1, hashtext($2))"
_POOL_SIZE: Final = 4  # turns waited for at once in one process; more wait for a connection
# A turn lasts a count and a record. One waited for longer is held by a process that stopped
# with it (SIGSTOP, a paused VM, a partition: its session lives on for hours): the sending is
# refused (503, sent again later) rather than waiting, and holding its request, without end.
TURN_WAIT_SECONDS: Final = 10.0


class AdvisoryTurns:
    """Turns of keys across every process on the database at ``url`` (opened on first use)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Wait for ``key``'s turn in every process, and hold it until the block ends.

        Raises:
            StoreUnavailable: the database cannot be reached, or the turn did not come
                within :data:`TURN_WAIT_SECONDS`.
        """
        pool = await self._opened()
        try:
            conn = await pool.acquire()
        except DATABASE_ERRORS as exc:
            raise StoreUnavailable(f"cannot take a turn: {exc}") from exc
        try:
            try:
                await conn.execute(_LOCK, TURNS_LOCK_CLASS, key)
            except DATABASE_ERRORS as exc:
                raise StoreUnavailable(f"cannot take a turn: {exc}") from exc
            try:
                yield
            finally:
                # A lost connection has let the lock go, and the pool's reset of a
                # connection it takes back unlocks every advisory lock all the same.
                with contextlib.suppress(*DATABASE_ERRORS):
                    await conn.execute(_UNLOCK, TURNS_LOCK_CLASS, key)
        finally:
            await pool.release(conn)

    async def _opened(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                wait = {"lock_timeout": f"{TURN_WAIT_SECONDS:g}s"}
                self._pool = await connect_pool(self._url, _POOL_SIZE, wait)
            return self._pool

    async def aclose(self) -> None:
        """Close the pool, if a turn ever opened it."""
        if self._pool is not None:
            await self._pool.close()

    def terminate(self) -> None:
        """Drop the pool's connections at once (the turns they held end with them)."""
        if self._pool is not None:
            self._pool.terminate()
