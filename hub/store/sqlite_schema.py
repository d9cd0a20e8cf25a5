"""DDL, migrations and row mapping of the embedded SQLite ledger."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Final

from hub.store.audit_chain import GENESIS
from hub.store.base import LedgerRecord, NewMessage, RecordKind

# Each entry upgrades the schema by one version (PRAGMA user_version).
MIGRATIONS: Final[tuple[str, ...]] = (
    """
    CREATE TABLE ledger (
        sequence     INTEGER PRIMARY KEY AUTOINCREMENT,
        kind         TEXT NOT NULL,
        message_type TEXT NOT NULL,
        sender       TEXT NOT NULL,
        message_id   TEXT NOT NULL,
        kid          TEXT NOT NULL,
        sha256       TEXT NOT NULL,
        jws          BLOB NOT NULL,
        payload      BLOB NOT NULL,
        received_at  TEXT NOT NULL,
        receipt      TEXT NOT NULL,
        county       TEXT,
        reason       TEXT,
        period       TEXT,
        UNIQUE (sender, message_id)
    );
    CREATE INDEX ledger_kind_sequence ON ledger (kind, sequence);
    """,
    """
    ALTER TABLE ledger ADD COLUMN village TEXT;
    ALTER TABLE ledger ADD COLUMN person_id TEXT;
    ALTER TABLE ledger ADD COLUMN channel TEXT;
    ALTER TABLE ledger ADD COLUMN outcome TEXT;
    CREATE INDEX ledger_period ON ledger (period, message_type);
    CREATE TABLE items (
        item_id     INTEGER PRIMARY KEY REFERENCES ledger (sequence),
        kind        TEXT NOT NULL,
        status      TEXT NOT NULL,
        accepted_by TEXT,
        decided_by  TEXT,
        municipal   INTEGER NOT NULL DEFAULT 0,
        version     INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE tasks (
        task_id     TEXT PRIMARY KEY,
        person_id   TEXT NOT NULL,
        kind        TEXT NOT NULL,
        status      TEXT NOT NULL,
        county      TEXT NOT NULL,
        village     TEXT,
        snapshot    BLOB NOT NULL,
        version     INTEGER NOT NULL,
        changed_seq INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX tasks_one_open ON tasks (person_id, kind)
        WHERE status IN ('open', 'in_progress');
    CREATE INDEX tasks_changed ON tasks (changed_seq);
    CREATE TABLE roster (
        person_id TEXT PRIMARY KEY,
        as_of     TEXT NOT NULL,
        snapshot  BLOB NOT NULL,
        sequence  INTEGER NOT NULL
    );
    CREATE TABLE notices (
        notice_id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL,
        kind      TEXT NOT NULL,
        text      TEXT NOT NULL,
        sequence  INTEGER NOT NULL,
        sent_at   TEXT
    );
    CREATE TABLE overpayments (
        task_id      TEXT PRIMARY KEY,
        person_id    TEXT NOT NULL,
        county       TEXT NOT NULL,
        period       TEXT NOT NULL,
        months       INTEGER NOT NULL,
        amount_cents INTEGER NOT NULL,
        sequence     INTEGER NOT NULL
    );
    CREATE TABLE audit (
        seq       INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        action    TEXT NOT NULL,
        subject   TEXT NOT NULL,
        actor     TEXT NOT NULL,
        digest    TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
    );
    CREATE TABLE audit_checkpoints (
        audit_seq INTEGER PRIMARY KEY,
        hash      TEXT NOT NULL,
        jws       TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE outbox (
        delivery_id     TEXT PRIMARY KEY,
        destination     TEXT NOT NULL,
        operation       TEXT NOT NULL,
        payload         BLOB NOT NULL,
        correlation_id  TEXT,
        created_at      REAL NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,
        state           TEXT NOT NULL DEFAULT 'pending',
        last_error      TEXT,
        sequence        INTEGER NOT NULL
    );
    CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('pending', 'published');
    CREATE INDEX outbox_state ON outbox (state, destination);
    CREATE TABLE deliveries (
        delivery_id  TEXT PRIMARY KEY,
        destination  TEXT NOT NULL,
        delivered_at REAL NOT NULL
    );
    INSERT INTO outbox (delivery_id, destination, operation, payload, created_at,
        next_attempt_at, sequence)
        SELECT notice_id, 'sms', 'notify',
            CAST(json_object('kind', kind, 'person_id', person_id, 'text', text) AS BLOB),
            0, 0, sequence
        FROM notices WHERE sent_at IS NULL
    """,
    # Money safety (issue 13): the ledger itself refuses a month paid back or recovered
    # twice, a second termination, one photo certifying two people. Existing ledgers are
    # backfilled from their own records; a duplicate already there keeps its first row.
    """
    CREATE TABLE benefit_months (
        person_id TEXT NOT NULL,
        purpose   TEXT NOT NULL,
        month     TEXT NOT NULL,
        source    TEXT NOT NULL,
        sequence  INTEGER NOT NULL,
        PRIMARY KEY (person_id, purpose, month)
    );
    CREATE INDEX benefit_months_source ON benefit_months (source, purpose);
    CREATE TABLE closed_benefits (
        person_id TEXT PRIMARY KEY,
        reason    TEXT NOT NULL,
        task_id   TEXT NOT NULL,
        sequence  INTEGER NOT NULL
    );
    CREATE TABLE evidence_people (
        sha256    TEXT PRIMARY KEY,
        person_id TEXT NOT NULL,
        sequence  INTEGER NOT NULL
    );
    INSERT OR IGNORE INTO closed_benefits (person_id, reason, task_id, sequence)
        SELECT person_id, json_extract(CAST(payload AS TEXT), '$.reason'),
            coalesce(json_extract(CAST(payload AS TEXT), '$.task_id'), ''), sequence
        FROM ledger WHERE message_type = 'termination/v1' AND kind = 'outcome'
        AND person_id IS NOT NULL ORDER BY sequence;
    WITH RECURSIVE spans (person_id, purpose, month, last, source, sequence) AS (
        SELECT person_id, 'recovered',
            substr(json_extract(CAST(payload AS TEXT), '$.period_from'), 1, 7),
            substr(json_extract(CAST(payload AS TEXT), '$.period_to'), 1, 7),
            coalesce(json_extract(CAST(payload AS TEXT), '$.task_id'), ''), sequence
        FROM ledger WHERE message_type = 'overpayment/v1' AND kind = 'outcome'
        AND person_id IS NOT NULL
        UNION ALL
        SELECT ledger.person_id, 'back_paid',
            substr(json_extract(CAST(payload AS TEXT), '$.back_pay_from'), 1, 7),
            substr(json_extract(CAST(payload AS TEXT), '$.back_pay_to'), 1, 7),
            CAST(sequence AS TEXT), sequence
        FROM ledger JOIN items ON items.item_id = ledger.sequence
        WHERE ledger.message_type = 'restoration/v1' AND items.status != 'rejected'
        AND ledger.person_id IS NOT NULL
        UNION ALL
        SELECT person_id, purpose, strftime('%Y-%m', month || '-01', '+1 month'), last,
            source, sequence
        FROM spans WHERE month < last
    )
    INSERT OR IGNORE INTO benefit_months (person_id, purpose, month, source, sequence)
        SELECT person_id, purpose, month, source, sequence FROM spans ORDER BY sequence;
    INSERT OR IGNORE INTO evidence_people (sha256, person_id, sequence)
        SELECT json_extract(e.value, '$.sha256'),
            json_extract(CAST(l.payload AS TEXT), '$.person.id_number'), l.sequence
        FROM ledger AS l, json_each(CAST(l.payload AS TEXT), '$.evidence') AS e
        WHERE l.message_type = 'certification_event/v1'
        AND json_extract(e.value, '$.kind') IN ('id_image', 'onsite_photo')
        ORDER BY l.sequence
    """,
)

OUTBOX_MIGRATION: Final = MIGRATIONS[2]
"""Outbox and deliveries (both backends; PostgreSQL adapts the types)."""

COLUMNS: Final = (
    "sequence, kind, message_type, sender, message_id, kid, sha256, jws, payload,"
    " received_at, receipt"
)

INSERT: Final = (
    "INSERT INTO ledger (sequence, kind, message_type, sender, message_id, kid, sha256, jws,"
    " payload, received_at, receipt, county, reason, period, village, person_id, channel, outcome)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)

# The column list is a constant: no caller input ever reaches these strings.
SELECT_BY_MESSAGE_ID: Final = f"SELECT {COLUMNS} FROM ledger WHERE sender=? AND message_id=?"
SELECT_PAGE: Final = (
    "SELECT " + ", ".join(f"ledger.{c.strip()}" for c in COLUMNS.split(",")) + ", items.status"
    " FROM ledger LEFT JOIN items ON items.item_id = ledger.sequence"
    " WHERE ledger.kind=? AND ledger.sequence>? ORDER BY ledger.sequence LIMIT ?"
)

NEXT_SEQUENCE: Final = (
    "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name='ledger'), 0) + 1"
)


def connect(path: str, *, synchronous: str, read_only: bool = False) -> sqlite3.Connection:
    """Open a connection tuned for a WAL ledger; autocommit off (explicit BEGIN)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA foreign_keys=ON")
    if read_only:
        conn.execute("PRAGMA query_only=ON")
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema to the newest version; return that version."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, script.split(";")):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)


def audit_head(conn: sqlite3.Connection) -> tuple[int, str]:
    """The last audit entry's (seq, hash), or the genesis head of an empty chain."""
    row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def insert_params(sequence: int, message: NewMessage, receipt: str) -> tuple[object, ...]:
    """Parameters of :data:`INSERT` for ``message``."""
    return (
        sequence,
        message.kind.value,
        message.message_type,
        message.sender,
        message.message_id,
        message.kid,
        message.sha256,
        message.jws,
        message.payload,
        message.received_at.isoformat(),
        receipt,
        message.county,
        message.reason,
        message.period,
        message.village,
        message.person_id,
        message.channel,
        message.outcome,
    )


def new_record(sequence: int, message: NewMessage, receipt: str) -> LedgerRecord:
    """The record ``message`` becomes once inserted at ``sequence``."""
    return LedgerRecord(
        sequence=sequence,
        kind=message.kind,
        message_type=message.message_type,
        sender=message.sender,
        message_id=message.message_id,
        kid=message.kid,
        sha256=message.sha256,
        jws=message.jws,
        payload=message.payload,
        received_at=message.received_at,
        receipt=receipt,
    )


def to_record(row: tuple[object, ...]) -> LedgerRecord:
    """Map a row selected with :data:`COLUMNS` to a record."""
    seq, kind, mtype, sender, mid, kid, digest, jws, payload, received, receipt = row[:11]
    status = str(row[11]) if len(row) > 11 and row[11] is not None else None
    return LedgerRecord(
        sequence=int(str(seq)),
        kind=RecordKind(str(kind)),
        message_type=str(mtype),
        sender=str(sender),
        message_id=str(mid),
        kid=str(kid),
        sha256=str(digest),
        jws=bytes(jws),  # type: ignore[call-overload]
        payload=bytes(payload),  # type: ignore[call-overload]
        received_at=datetime.fromisoformat(str(received)),
        receipt=str(receipt),
        status=status,
    )
