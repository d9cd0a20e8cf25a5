"""Background WAL checkpoints, so no commit stalls on copying the log and the log stays bounded.

SQLite's automatic checkpoint runs inside the ``COMMIT`` that crosses its
threshold: that commit then also copies the write-ahead log into the
database file and fsyncs it, and every request waiting on it waits longer —
a tail-latency spike. The writer therefore turns automatic checkpoints off
and this task checkpoints in ``PASSIVE`` mode on its own connection and
thread every second, which never blocks the writer.

A passive checkpoint copies frames but never *resets* the log: SQLite
starts writing the log from its beginning again only when a write begins
after every frame was copied, and under sustained load new frames always
arrived meanwhile — the log grew to 1.9 GB while 300,000 reports were
pushed in 3 minutes. So the log is bounded in two ways:

- past ``limit_bytes`` the writer resets it itself, between two group
  commits (:meth:`WalCheckpointer.reset_on`, on the commit thread, never
  on the event loop): a ``RESTART`` checkpoint, which has little left to
  copy because the passive ones copied the rest, after which the next
  commit writes the log from its beginning again. Appends that arrive
  meanwhile wait for the next batch, as they do for an fsync. Not
  ``TRUNCATE``: cutting a 64 MiB file to nothing held the batch 300–470 ms
  on a busy disk, against 0–150 ms for the restart (``bench/README.md``),
  a stall every paced request behind it saw;
- ``journal_size_limit`` (set by the ledger to the same bound) cuts the file
  back to the bound whenever the log starts over (after a reset, or after a
  quiet moment), so the file stays near the bound.

At close a ``TRUNCATE`` checkpoint leaves an empty log behind. The log's
size is a metric (``certhub_ledger_wal_bytes``) with an alert when it stays
well past the bound (a reader holding an old snapshot, or a disk too slow).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from certhub.hub.core.periodic import BackgroundTasks, every

__all__ = ["DEFAULT_LIMIT_BYTES", "WalCheckpointer", "wal_bytes"]

log = logging.getLogger(__name__)

DEFAULT_LIMIT_BYTES = 64 * 1024 * 1024


def wal_bytes(database: str | Path) -> int:
    """The size of the database's write-ahead log file (0 when there is none)."""
    try:
        return os.stat(f"{database}-wal").st_size
    except FileNotFoundError:
        return 0


class WalCheckpointer:
    """Checkpoints one database's WAL every ``interval`` seconds until closed; bounds its size."""

    def __init__(
        self, path: str, *, interval: float = 1.0, limit_bytes: int = DEFAULT_LIMIT_BYTES
    ) -> None:
        """Checkpoint the database at ``path``; ask for a reset past ``limit_bytes`` of log."""
        self._path = path
        self._interval = interval
        self.limit_bytes = limit_bytes
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-wal")
        self._conn: sqlite3.Connection | None = None
        self._background = BackgroundTasks()
        self._size = wal_bytes(path)
        self._restarted = False  # a reset just succeeded; no commit has started the log over yet
        self.resets = 0  # log resets the writer made (for tests and logs)
        self.last_reset_seconds = 0.0  # how long the last one held the next batch back

    @property
    def reset_due(self) -> bool:
        """Whether the log has grown past its bound (one ``stat``: a few µs per group commit)."""
        if self._restarted:  # the file keeps its size until the next commit starts it over
            self._restarted = False
            return False
        self._size = wal_bytes(self._path)
        return self._size > self.limit_bytes

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

    def reset_on(self, writer: sqlite3.Connection) -> None:
        """Copy what is left and start the log over, on the writer's connection, between
        transactions.

        Called by the writer on its commit thread when :attr:`reset_due`. A
        failure (a reader holding an old snapshot past the busy timeout) is
        logged; the next commit tries again.
        """
        started = time.monotonic()
        try:
            busy, frames, copied = writer.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
        except sqlite3.Error as exc:
            log.warning("WAL reset failed (%s); retrying after the next commit", exc)
            return
        before, self._size = self._size, wal_bytes(self._path)
        self.last_reset_seconds = time.monotonic() - started
        if busy and frames < 0:  # the background checkpoint is running: try after the next commit
            log.debug("WAL reset deferred: a checkpoint is in progress")
        elif busy:
            log.warning("WAL reset incomplete: %d of %d frames copied", copied, frames)
        else:
            self._restarted = True
            self.resets += 1
            log.debug("WAL reset from %d bytes in %.3f s", before, self.last_reset_seconds)

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
        try:
            self._conn.execute(f"PRAGMA wal_checkpoint({mode})")
        finally:
            self._size = wal_bytes(self._path)

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
