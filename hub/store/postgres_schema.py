"""DDL, versioned migrations and SQL dialect helpers of the PostgreSQL ledger.

The tables mirror :mod:`hub.store.sqlite_schema` column for column (``BYTEA``
for ``BLOB``, ``BIGINT`` for sequences) so both backends answer the same
queries; timestamps stay ISO-8601 text, as in SQLite, so a record reads back
exactly as it was appended. The portable statements of the SQLite modules are
reused here with :func:`dollar` turning their ``?`` placeholders into ``$n``.
"""

from __future__ import annotations

import functools
from typing import Final

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from hub.store import sqlite_schema
from hub.store.audit_chain import GENESIS
from hub.store.base import StoreUnavailable

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
)

WRITER_LOCK: Final = 0x63657274_6C656467  # "certledg": serialises ledger writers across processes
MIGRATION_LOCK: Final = 0x63657274_6D696772  # "certmigr": one process migrates at a time

# Each entry upgrades the schema by one version (row in ``schema_version``).
# Text compares byte by byte (COLLATE "C"), as in SQLite: ordering, ``min`` and
# the roster's ``as_of`` comparison never depend on the server's locale.
MIGRATIONS: Final[tuple[str, ...]] = (
    """
    CREATE TABLE ledger (
        sequence     BIGINT PRIMARY KEY,
        kind         TEXT NOT NULL,
        message_type TEXT NOT NULL,
        sender       TEXT NOT NULL,
        message_id   TEXT NOT NULL,
        kid          TEXT NOT NULL,
        sha256       TEXT NOT NULL,
        jws          BYTEA NOT NULL,
        payload      BYTEA NOT NULL,
        received_at  TEXT NOT NULL,
        receipt      TEXT NOT NULL,
        county       TEXT,
        reason       TEXT,
        period       TEXT,
        village      TEXT,
        person_id    TEXT,
        channel      TEXT,
        outcome      TEXT,
        UNIQUE (sender, message_id)
    );
    CREATE INDEX ledger_kind_sequence ON ledger (kind, sequence);
    CREATE INDEX ledger_period ON ledger (period, message_type);
    CREATE TABLE items (
        item_id     BIGINT PRIMARY KEY REFERENCES ledger (sequence),
        kind        TEXT NOT NULL,
        status      TEXT NOT NULL,
        accepted_by TEXT,
        decided_by  TEXT,
        municipal   BOOLEAN NOT NULL DEFAULT false,
        version     INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE tasks (
        task_id     TEXT PRIMARY KEY,
        person_id   TEXT NOT NULL,
        kind        TEXT NOT NULL,
        status      TEXT NOT NULL,
        county      TEXT NOT NULL,
        village     TEXT,
        snapshot    BYTEA NOT NULL,
        version     INTEGER NOT NULL,
        changed_seq BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX tasks_one_open ON tasks (person_id, kind)
        WHERE status IN ('open', 'in_progress');
    CREATE INDEX tasks_changed ON tasks (changed_seq);
    CREATE TABLE roster (
        person_id TEXT PRIMARY KEY,
        as_of     TEXT NOT NULL,
        snapshot  BYTEA NOT NULL,
        sequence  BIGINT NOT NULL
    );
    CREATE TABLE notices (
        notice_id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL,
        kind      TEXT NOT NULL,
        text      TEXT NOT NULL,
        sequence  BIGINT NOT NULL,
        sent_at   TEXT
    );
    CREATE TABLE overpayments (
        task_id      TEXT PRIMARY KEY,
        person_id    TEXT NOT NULL,
        county       TEXT NOT NULL,
        period       TEXT NOT NULL,
        months       INTEGER NOT NULL,
        amount_cents BIGINT NOT NULL,
        sequence     BIGINT NOT NULL
    );
    CREATE TABLE audit (
        seq       BIGINT PRIMARY KEY,
        at        TEXT NOT NULL,
        action    TEXT NOT NULL,
        subject   TEXT NOT NULL,
        actor     TEXT NOT NULL,
        digest    TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
    );
    CREATE TABLE audit_checkpoints (
        audit_seq BIGINT PRIMARY KEY,
        hash      TEXT NOT NULL,
        jws       TEXT NOT NULL
    );
    """.replace("TEXT", 'TEXT COLLATE "C"'),
    sqlite_schema.OUTBOX_MIGRATION.replace("TEXT", 'TEXT COLLATE "C"')
    .replace("BLOB", "BYTEA")
    .replace("REAL", "DOUBLE PRECISION")
    .replace("INTEGER NOT NULL\n", "BIGINT NOT NULL\n")
    .replace("CAST(json_object(", "convert_to(json_build_object(")
    .replace(") AS BLOB)", ")::text, 'UTF8')")
    .replace(") AS BYTEA)", ")::text, 'UTF8')"),
    # The same tables as SQLite's fourth migration, backfilled with PostgreSQL's JSON.
    """
    CREATE TABLE benefit_months (
        person_id TEXT NOT NULL,
        purpose   TEXT NOT NULL,
        month     TEXT NOT NULL,
        source    TEXT NOT NULL,
        sequence  BIGINT NOT NULL,
        PRIMARY KEY (person_id, purpose, month)
    );
    CREATE INDEX benefit_months_source ON benefit_months (source, purpose);
    CREATE TABLE closed_benefits (
        person_id TEXT PRIMARY KEY,
        reason    TEXT NOT NULL,
        task_id   TEXT NOT NULL,
        sequence  BIGINT NOT NULL
    );
    CREATE TABLE evidence_people (
        sha256    TEXT PRIMARY KEY,
        person_id TEXT NOT NULL,
        sequence  BIGINT NOT NULL
    );
    INSERT INTO closed_benefits (person_id, reason, task_id, sequence)
        SELECT DISTINCT ON (person_id) person_id,
            convert_from(payload, 'UTF8')::jsonb ->> 'reason',
            coalesce(convert_from(payload, 'UTF8')::jsonb ->> 'task_id', ''), sequence
        FROM ledger WHERE message_type = 'termination/v1' AND kind = 'outcome'
        AND person_id IS NOT NULL ORDER BY person_id, sequence;
    INSERT INTO benefit_months (person_id, purpose, month, source, sequence)
        SELECT person_id, purpose, to_char(m, 'YYYY-MM'), source, sequence
        FROM (
            SELECT person_id, 'recovered' AS purpose,
                (convert_from(payload, 'UTF8')::jsonb ->> 'period_from')::date AS first,
                (convert_from(payload, 'UTF8')::jsonb ->> 'period_to')::date AS last,
                coalesce(convert_from(payload, 'UTF8')::jsonb ->> 'task_id', '') AS source,
                sequence
            FROM ledger WHERE message_type = 'overpayment/v1' AND kind = 'outcome'
            AND person_id IS NOT NULL
            UNION ALL
            SELECT ledger.person_id, 'back_paid',
                (convert_from(payload, 'UTF8')::jsonb ->> 'back_pay_from')::date,
                (convert_from(payload, 'UTF8')::jsonb ->> 'back_pay_to')::date,
                sequence::text, sequence
            FROM ledger JOIN items ON items.item_id = ledger.sequence
            WHERE ledger.message_type = 'restoration/v1' AND items.status != 'rejected'
            AND ledger.person_id IS NOT NULL
        ) AS spans,
        generate_series(date_trunc('month', first), date_trunc('month', last), '1 month') AS m
        ORDER BY sequence
        ON CONFLICT DO NOTHING;
    INSERT INTO evidence_people (sha256, person_id, sequence)
        SELECT e ->> 'sha256',
            convert_from(l.payload, 'UTF8')::jsonb -> 'person' ->> 'id_number', l.sequence
        FROM ledger AS l,
            jsonb_array_elements(
                coalesce(convert_from(l.payload, 'UTF8')::jsonb -> 'evidence', '[]'::jsonb)
            ) AS e
        WHERE l.message_type = 'certification_event/v1'
        AND e ->> 'kind' IN ('id_image', 'onsite_photo')
        ORDER BY l.sequence
        ON CONFLICT DO NOTHING;
    """.replace("TEXT", 'TEXT COLLATE "C"'),
)


@functools.cache
def dollar(sql: str) -> str:
    """``sql`` with each ``?`` placeholder numbered ``$1``, ``$2``, … (PostgreSQL style).

    Only for constant statements without ``?`` inside literals (all of ours).
    """
    parts = sql.split("?")
    numbered = [part + f"${n}" for n, part in enumerate(parts[:-1], start=1)]
    return "".join(numbered) + parts[-1]


INSERT: Final = dollar(sqlite_schema.INSERT)
SELECT_BY_MESSAGE_ID: Final = dollar(sqlite_schema.SELECT_BY_MESSAGE_ID)

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
    """
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        current = int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))
        for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
            await conn.execute(script)
            await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", number)
    return len(MIGRATIONS)


async def schema_version(conn: Conn) -> int:
    """The version the database is at (0 when certhub never migrated it)."""
    exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))


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
