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
import sqlite3
from concurrent.futures import ThreadPoolExecutor

from certhub.hub.core.periodic import BackgroundTasks, every


class WalCheckpointer:
    """Checkpoints one database's WAL every ``interval`` seconds until closed."""

    def __init__(self, path: str, *, interval: float = 1.0) -> None:
        """Checkpoint the database at ``path``."""
        self._path = path
        self._interval = interval
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-wal")
        self._conn: sqlite3.Connection | None = None
        self._background = BackgroundTasks()

    def start(self) -> None:
        """Begin checkpointing in the background."""
        self._background.start(
            every(
                self._interval,
                self._passive,
                what="WAL checkpoint",
                expected=(sqlite3.Error,),  # busy or I/O: the next round tries again
                wait_first=True,
            )
        )

    async def aclose(self) -> None:
        """Stop, truncate the log once more, release the connection."""
        await self._background.stop()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._checkpoint, "TRUNCATE")
        await loop.run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=True)

    async def _passive(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._checkpoint, "PASSIVE")

    def _checkpoint(self, mode: str) -> None:
        if self._conn is None:
            self._conn = sqlite3.connect(self._path, isolation_level=None, timeout=30.0)
        self._conn.execute(f"PRAGMA wal_checkpoint({mode})")

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
