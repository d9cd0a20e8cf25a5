"""The ledger's writer keeps 64 MiB of pages in memory; readers keep SQLite's default.

Each append inserts into two indexes with random keys; with SQLite's default cache
(2 MiB: 125 pages of 16 KB) their leaves fall out and every insert reads one back
(bench/README.md "Ingress" has what it costs). The size is the writer connection's
alone: each reader thread opens its own connection and keeps the default.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from certhub.hub.store import SqliteLedger
from certhub.hub.store.sqlite import schema

SQLITE_DEFAULT = -2000  # KiB, negative: SQLite's compiled-in default page cache


def _cache_size(conn: sqlite3.Connection) -> int:
    (size,) = conn.execute("PRAGMA cache_size").fetchone()
    return int(size)


async def test_the_writer_caches_64_mib_and_a_reader_the_default(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    ledger = await SqliteLedger.open(path)
    try:
        assert _cache_size(ledger._conn) == -65536  # 64 x 1024 KiB
        reader = schema.connect(str(path), synchronous="FULL", read_only=True)
        assert _cache_size(reader) == SQLITE_DEFAULT
        reader.close()
    finally:
        await ledger.aclose()


async def test_a_ledger_reopened_gets_the_writer_cache_again(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    await (await SqliteLedger.open(path)).aclose()
    again = await SqliteLedger.open(path)
    try:
        assert _cache_size(again._conn) == -65536
    finally:
        await again.aclose()
