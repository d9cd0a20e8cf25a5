"""A new SQLite ledger has 16 KB pages; a ledger made before keeps its own.

A certification's ledger row (its JWS and payload, ≈ 2.5 KB) filled a 4 KB page
by itself; :data:`certhub.hub.store.sqlite.schema.PAGE_SIZE` is set on the
connection before the ledger's first page exists (bench/README.md "Ledger
writes in bulk" has what it saves). A ledger already in WAL mode cannot change
its page size, and must open and migrate as before.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from certhub.hub.store.sqlite import schema


def _page_size(conn: sqlite3.Connection) -> int:
    (size,) = conn.execute("PRAGMA page_size").fetchone()
    return int(size)


def test_a_new_ledger_has_16_kb_pages(tmp_path: Path) -> None:
    conn = schema.connect(str(tmp_path / "ledger.db"), synchronous="FULL")
    schema.migrate(conn)
    assert _page_size(conn) == 16384
    conn.close()
    again = schema.connect(str(tmp_path / "ledger.db"), synchronous="FULL", read_only=True)
    assert _page_size(again) == 16384
    assert again.execute("SELECT count(*) FROM ledger").fetchone() == (0,)


def test_a_ledger_with_4_kb_pages_keeps_them_and_migrates(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    old.execute("PRAGMA page_size=4096")
    old.execute("PRAGMA journal_mode=WAL")
    old.execute("CREATE TABLE kept (n INTEGER)")
    old.execute("INSERT INTO kept VALUES (1)")
    old.close()
    conn = schema.connect(str(path), synchronous="FULL")
    assert schema.migrate(conn) > 0
    assert _page_size(conn) == 4096
    assert conn.execute("SELECT n FROM kept").fetchall() == [(1,)]
    assert conn.execute("SELECT count(*) FROM ledger").fetchone() == (0,)
