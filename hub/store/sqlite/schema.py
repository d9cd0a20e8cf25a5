"""The SQLite dialect: connection, migration runner, audit head (tables: hub/store/tables.py)."""

from __future__ import annotations

import sqlite3
from typing import Final

from certhub.hub.store import tables
from certhub.hub.store.audit_chain import GENESIS
from certhub.hub.store.base import StoreUnavailable
from certhub.hub.store.roster_stamps import StampColumn, rewritten

NEXT_SEQUENCE: Final = (
    "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name='ledger'), 0) + 1"
)

PAGE_SIZE: Final = 16384
"""Bytes a page of a new ledger (SQLite's default is 4096). A ledger row carries its JWS and
payload (≈ 2.5 KB for a certification), so a 4 KB page holds one: 16 KB pages write the
bulk path's rows with a quarter of the WAL frames (its ``COMMIT`` ≈ 40 % less CPU, the
ledger's inserts ≈ 20 %: bench/README.md "Ledger writes in bulk"). A ledger made
before keeps its page size (WAL mode cannot change it)."""

WRITER_CACHE_KIB: Final = 64 * 1024
"""Page cache of the ledger's writer connection (SQLite's default is 2 MiB, 125 pages of
16 KB). Every append inserts into two indexes with random keys, ``(sender, message_id)``
and the region's; once they outgrow the cache each insert reads a leaf back (from the WAL
or the file) and parses it again. 64 MiB keeps them resident to about a million records:
≈ 10–30 µs less CPU per append on a 30,000–60,000-record ledger (bench/README.md
"Ingress"). Memory is taken only as pages are read; readers keep the default."""

# Ledgers from before ``schema_version`` counted in ``PRAGMA user_version``, one more
# than today's number from 2 on (the ledger's columns and the procedure tables were two
# steps then, one now); at 1 they still lack the second, which adoption adds.
_LEGACY_SECOND_STEP: Final = """
ALTER TABLE ledger ADD COLUMN village TEXT;
ALTER TABLE ledger ADD COLUMN person_id TEXT;
ALTER TABLE ledger ADD COLUMN channel TEXT;
ALTER TABLE ledger ADD COLUMN outcome TEXT;
CREATE INDEX ledger_period ON ledger (period, message_type);
""" + tables.PROCEDURE.format(**tables.TYPES["sqlite"])


def connect(path: str, *, synchronous: str, read_only: bool = False) -> sqlite3.Connection:
    """Open a connection tuned for a WAL ledger; autocommit off (explicit BEGIN).

    Raises:
        StoreUnavailable: the file is no SQLite database (damaged, or another file).
    """
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
    try:
        conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # a new ledger's only: before its first page
        conn.execute("PRAGMA journal_mode=WAL")  # the first read of the file's header
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        if read_only:
            conn.execute("PRAGMA query_only=ON")
    except sqlite3.DatabaseError as exc:  # an operator's problem, not a crash with a traceback
        conn.close()
        raise StoreUnavailable(f"ledger {path} cannot be opened: {exc}") from exc
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema to the newest version, one transaction per step; return that version."""
    for number, statements in tables.pending(_current_version(conn), "sqlite"):
        record = f"INSERT INTO schema_version (version) VALUES ({number})"
        # certhub releases from before schema_version read this counter: keep it true
        rewrites = tables.LADDER[number - 1].rewrites
        _transaction(conn, [*statements, record, f"PRAGMA user_version={number + 1}"], rewrites)
    return len(tables.LADDER)


def _current_version(conn: sqlite3.Connection) -> int:
    """The version in ``schema_version``, adopting a ledger that counted in ``user_version``."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'"
    ).fetchone()
    if exists:
        (version,) = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
        return int(version)
    (legacy,) = conn.execute("PRAGMA user_version").fetchone()
    current = max(int(legacy) - 1, 0)
    adopt = [tables.schema_version_table("sqlite")]
    if legacy == 1:
        adopt += [s for s in _LEGACY_SECOND_STEP.split(";") if s.strip()]
        current = 1
    adopt += [f"INSERT INTO schema_version (version) VALUES ({n})" for n in range(1, current + 1)]
    _transaction(conn, adopt)
    return current


def _transaction(
    conn: sqlite3.Connection, statements: list[str], rewrites: tuple[StampColumn, ...] = ()
) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in statements:
            conn.execute(statement)
        for column in rewrites:
            _rewrite(conn, column)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _rewrite(conn: sqlite3.Connection, column: StampColumn) -> None:
    """Every stamp of ``column`` in China time, a batch of keys at a time (roster_stamps)."""
    last = ""
    while rows := conn.execute(column.batch(), (last,)).fetchall():
        conn.executemany(column.update(), rewritten(rows))
        last = rows[-1][0]


def audit_head(conn: sqlite3.Connection) -> tuple[int, str]:
    """The last audit entry's (seq, hash), or the genesis head of an empty chain."""
    row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)
