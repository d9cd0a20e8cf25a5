"""The PostgreSQL dialect: connection errors, locks, migration runner, placeholders.

The tables are those of :mod:`certhub.hub.store.tables`, in PostgreSQL's type names;
the portable statements are shared with SQLite, :func:`dollar` turning their
``?`` placeholders into ``$n``.
"""

from __future__ import annotations

import functools
from typing import Final

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from certhub.hub.store import ledger_rows, tables
from certhub.hub.store.audit_chain import GENESIS
from certhub.hub.store.base import StoreUnavailable
from certhub.hub.store.roster_stamps import StampColumn, rewritten

Conn = asyncpg.Connection | PoolConnectionProxy
"""A connection of our own or one lent by a pool."""

# What a lost or refused connection looks like from asyncpg: recoverable, so
# it becomes StoreUnavailable (503, retry) rather than a 500.
CONNECTION_ERRORS: Final = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    # A pooled connection the server ended while it sat idle can fail its next statement
    # inside asyncpg's protocol ("cannot switch to state 11; another operation is in
    # progress") before the termination surfaces as ConnectionDoesNotExistError.
    asyncpg.InternalClientError,
)

WRITER_LOCK: Final = 0x63657274_6C656467  # "certledg": serialises ledger writers across processes
MIGRATION_LOCK: Final = 0x63657274_6D696772  # "certmigr": one process migrates at a time


@functools.cache
def dollar(sql: str) -> str:
    """``sql`` with each ``?`` placeholder numbered ``$1``, ``$2``, … (PostgreSQL style).

    Only for constant statements without ``?`` inside literals (all of ours).
    """
    parts = sql.split("?")
    numbered = [part + f"${n}" for n, part in enumerate(parts[:-1], start=1)]
    return "".join(numbered) + parts[-1]


INSERT: Final = dollar(ledger_rows.INSERT)
SELECT_BY_MESSAGE_ID: Final = dollar(ledger_rows.SELECT_BY_MESSAGE_ID)

# One round trip per plain message: the row and its "message accepted" link,
# the link only if the row was new (a duplicate inserts nothing at all).
INSERT_ACCEPTED: Final = (
    "WITH fresh AS (" + INSERT + " ON CONFLICT (sender, message_id) DO NOTHING RETURNING sequence)"
    " INSERT INTO audit (seq, at, action, subject, actor, digest, prev_hash, hash)"
    " SELECT $19::bigint, $20, $21, $22, $23, $24, $25, $26 FROM fresh RETURNING seq"
)

# Read under the writer lock at the start of every group commit: other
# processes append too, so neither the next sequence nor the chain head may
# be remembered across transactions.
HEADS: Final = (
    "SELECT (SELECT coalesce(max(sequence), 0) FROM ledger) + 1, a.seq, a.hash"
    " FROM (SELECT 1) AS one"
    " LEFT JOIN (SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1) AS a ON true"
)

UPSERT_CHECKPOINT: Final = (
    "INSERT INTO audit_checkpoints (audit_seq, hash, jws) VALUES ($1, $2, $3)"
    " ON CONFLICT (audit_seq) DO UPDATE SET hash = excluded.hash, jws = excluded.jws"
)


def parse_heads(row: asyncpg.Record | None) -> tuple[int, int, str]:
    """(next ledger sequence, audit seq, audit head hash) from a :data:`HEADS` row."""
    if row is None:
        raise StoreUnavailable("the ledger database returned no heads")
    next_sequence, seq, head = row[0], row[1], row[2]
    if seq is None:
        return int(next_sequence), 0, GENESIS
    return int(next_sequence), int(seq), str(head)


async def migrate(conn: Conn) -> int:
    """Bring the schema to the newest version in one transaction; return that version.

    Safe to run from several processes at once: the first takes the
    migration lock and upgrades, the others then find nothing to do.

    Raises:
        StoreUnavailable: a newer release migrated the database past this one's
            schema (a machine not upgraded yet must not write tables it does not know).
    """
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute(tables.schema_version_table("postgres"))
        current = int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))
        if current > len(tables.LADDER):
            raise StoreUnavailable(
                f"the ledger database is at schema version {current}, newer than this"
                f" certhub's {len(tables.LADDER)}: upgrade certhub on this machine"
            )
        for number, statements in tables.pending(current, "postgres"):
            for statement in statements:
                await conn.execute(statement)
            for column in tables.LADDER[number - 1].rewrites:
                await _rewrite(conn, column)
            await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", number)
    return len(tables.LADDER)


async def _rewrite(conn: Conn, column: StampColumn) -> None:
    """Every stamp of ``column`` in China time, a batch of keys at a time (roster_stamps)."""
    last = ""
    while rows := await conn.fetch(dollar(column.batch()), last):
        await conn.executemany(dollar(column.update()), rewritten((r[0], r[1]) for r in rows))
        last = rows[-1][0]


async def schema_version(conn: Conn) -> int:
    """The version the database is at (0 when certhub never migrated it)."""
    exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))


async def migrate_pool(pool: asyncpg.Pool) -> None:
    """Migrate the database behind ``pool`` to the newest schema; close ``pool`` if it cannot.

    Raises:
        StoreUnavailable: the database cannot be reached or migrated.
    """
    try:
        async with pool.acquire() as conn:
            await migrate(conn)
    except StoreUnavailable:
        await pool.close()
        raise
    except (asyncpg.PostgresError, *CONNECTION_ERRORS) as exc:
        await pool.close()
        raise StoreUnavailable(f"cannot migrate the ledger database: {exc}") from exc


async def upgrade(url: str) -> int:
    """Connect to ``url``, migrate to the newest schema and return its version.

    Raises:
        StoreUnavailable: the database cannot be reached or refused the DDL.
    """
    try:
        conn = await asyncpg.connect(url, timeout=10.0)
        try:
            return await migrate(conn)
        finally:
            await conn.close()
    except (asyncpg.PostgresError, *CONNECTION_ERRORS) as exc:
        raise StoreUnavailable(f"cannot upgrade the ledger database: {exc}") from exc
