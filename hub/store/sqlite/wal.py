"""Background WAL checkpoints, so no commit ever stalls on copying the log.

SQLite's automatic checkpoint runs inside the ``COMMIT`` that crosses its
threshold: that commit then also copies the write-ahead log into the
database file and fsyncs it, and every request waiting on it waits longer —
a tail-latency spike. The writer therefore turns automatic checkpoints off
and this task checkpoints in ``PASSIVE`` mode on its own connection and
thread, which never blocks the writer; at close a ``TRUNCATE`` checkpoint
leaves a small log behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)


class WalCheckpointer:
    """Checkpoints one database's WAL every ``interval`` seconds until closed."""

    def __init__(self, path: str, *, interval: float = 1.0) -> None:
        """Checkpoint the database at ``path``."""
        self._path = path
        self._interval = interval
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-wal")
        self._conn: sqlite3.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin checkpointing in the background."""
        self._task = asyncio.create_task(self._run())

    async def aclose(self) -> None:
        """Stop, truncate the log once more, release the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._checkpoint, "TRUNCATE")
        await loop.run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=True)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._interval)
            try:
                await loop.run_in_executor(self._executor, self._checkpoint, "PASSIVE")
            except sqlite3.Error as exc:  # busy or I/O: the next round tries again
                log.warning("WAL checkpoint failed: %s", exc)

    def _checkpoint(self, mode: str) -> None:
        if self._conn is None:
            self._conn = sqlite3.connect(self._path, isolation_level=None, timeout=30.0)
        self._conn.execute(f"PRAGMA wal_checkpoint({mode})")

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
