"""The SQLite read transport: each reader thread keeps its own read-only connection."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

from certhub.hub.store.money import BackPayReads
from certhub.hub.store.queries import LedgerReads
from certhub.hub.store.sqlite.schema import connect


class SqliteReads(BackPayReads, LedgerReads):
    """Runs the ledger's read queries on a small pool of read-only connections.

    The ledger class sets the attributes below when it opens.
    """

    _path: str
    _synchronous: str
    _readers: ThreadPoolExecutor
    _local: threading.local

    async def _read(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._read_sync, sql, params)

    def _read_sync(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self._path, synchronous=self._synchronous, read_only=True)
            self._local.conn = conn
        return conn.execute(sql, params).fetchall()
