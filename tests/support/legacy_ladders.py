"""The tables the migration ladders built before the ledger had one runner (frozen).

A ledger built by these at any version must open with today's code and end
at today's schema: the on-disk format stays compatible. SQLite counted its
versions in ``PRAGMA user_version``, PostgreSQL in ``schema_version`` rows.

Each step's DDL stands byte for byte as it shipped: it is the independent
record of the old format that today's tables (``certhub.hub.store.tables``)
are compared with, so it is never derived from them. The row backfills that
steps 2 and 3 of PostgreSQL (3 and 4 of SQLite) also ran are left out: the
tests build every old ledger empty and add their records after its last
step, so a backfill had nothing to fill; today's ladder runs its own over
those records for the steps it still climbs.
"""

from __future__ import annotations

SQLITE: tuple[str, ...] = (
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
    """,
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
    """,
)

POSTGRES: tuple[str, ...] = (
    """
    CREATE TABLE ledger (
        sequence     BIGINT PRIMARY KEY,
        kind         TEXT COLLATE "C" NOT NULL,
        message_type TEXT COLLATE "C" NOT NULL,
        sender       TEXT COLLATE "C" NOT NULL,
        message_id   TEXT COLLATE "C" NOT NULL,
        kid          TEXT COLLATE "C" NOT NULL,
        sha256       TEXT COLLATE "C" NOT NULL,
        jws          BYTEA NOT NULL,
        payload      BYTEA NOT NULL,
        received_at  TEXT COLLATE "C" NOT NULL,
        receipt      TEXT COLLATE "C" NOT NULL,
        county       TEXT COLLATE "C",
        reason       TEXT COLLATE "C",
        period       TEXT COLLATE "C",
        village      TEXT COLLATE "C",
        person_id    TEXT COLLATE "C",
        channel      TEXT COLLATE "C",
        outcome      TEXT COLLATE "C",
        UNIQUE (sender, message_id)
    );
    CREATE INDEX ledger_kind_sequence ON ledger (kind, sequence);
    CREATE INDEX ledger_period ON ledger (period, message_type);
    CREATE TABLE items (
        item_id     BIGINT PRIMARY KEY REFERENCES ledger (sequence),
        kind        TEXT COLLATE "C" NOT NULL,
        status      TEXT COLLATE "C" NOT NULL,
        accepted_by TEXT COLLATE "C",
        decided_by  TEXT COLLATE "C",
        municipal   BOOLEAN NOT NULL DEFAULT false,
        version     INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE tasks (
        task_id     TEXT COLLATE "C" PRIMARY KEY,
        person_id   TEXT COLLATE "C" NOT NULL,
        kind        TEXT COLLATE "C" NOT NULL,
        status      TEXT COLLATE "C" NOT NULL,
        county      TEXT COLLATE "C" NOT NULL,
        village     TEXT COLLATE "C",
        snapshot    BYTEA NOT NULL,
        version     INTEGER NOT NULL,
        changed_seq BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX tasks_one_open ON tasks (person_id, kind)
        WHERE status IN ('open', 'in_progress');
    CREATE INDEX tasks_changed ON tasks (changed_seq);
    CREATE TABLE roster (
        person_id TEXT COLLATE "C" PRIMARY KEY,
        as_of     TEXT COLLATE "C" NOT NULL,
        snapshot  BYTEA NOT NULL,
        sequence  BIGINT NOT NULL
    );
    CREATE TABLE notices (
        notice_id TEXT COLLATE "C" PRIMARY KEY,
        person_id TEXT COLLATE "C" NOT NULL,
        kind      TEXT COLLATE "C" NOT NULL,
        text      TEXT COLLATE "C" NOT NULL,
        sequence  BIGINT NOT NULL,
        sent_at   TEXT COLLATE "C"
    );
    CREATE TABLE overpayments (
        task_id      TEXT COLLATE "C" PRIMARY KEY,
        person_id    TEXT COLLATE "C" NOT NULL,
        county       TEXT COLLATE "C" NOT NULL,
        period       TEXT COLLATE "C" NOT NULL,
        months       INTEGER NOT NULL,
        amount_cents BIGINT NOT NULL,
        sequence     BIGINT NOT NULL
    );
    CREATE TABLE audit (
        seq       BIGINT PRIMARY KEY,
        at        TEXT COLLATE "C" NOT NULL,
        action    TEXT COLLATE "C" NOT NULL,
        subject   TEXT COLLATE "C" NOT NULL,
        actor     TEXT COLLATE "C" NOT NULL,
        digest    TEXT COLLATE "C" NOT NULL,
        prev_hash TEXT COLLATE "C" NOT NULL,
        hash      TEXT COLLATE "C" NOT NULL
    );
    CREATE TABLE audit_checkpoints (
        audit_seq BIGINT PRIMARY KEY,
        hash      TEXT COLLATE "C" NOT NULL,
        jws       TEXT COLLATE "C" NOT NULL
    );
    """,
    """
    CREATE TABLE outbox (
        delivery_id     TEXT COLLATE "C" PRIMARY KEY,
        destination     TEXT COLLATE "C" NOT NULL,
        operation       TEXT COLLATE "C" NOT NULL,
        payload         BYTEA NOT NULL,
        correlation_id  TEXT COLLATE "C",
        created_at      DOUBLE PRECISION NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at DOUBLE PRECISION NOT NULL,
        state           TEXT COLLATE "C" NOT NULL DEFAULT 'pending',
        last_error      TEXT COLLATE "C",
        sequence        BIGINT NOT NULL
    );
    CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('pending', 'published');
    CREATE INDEX outbox_state ON outbox (state, destination);
    CREATE TABLE deliveries (
        delivery_id  TEXT COLLATE "C" PRIMARY KEY,
        destination  TEXT COLLATE "C" NOT NULL,
        delivered_at DOUBLE PRECISION NOT NULL
    );
    """,
    """
    CREATE TABLE benefit_months (
        person_id TEXT COLLATE "C" NOT NULL,
        purpose   TEXT COLLATE "C" NOT NULL,
        month     TEXT COLLATE "C" NOT NULL,
        source    TEXT COLLATE "C" NOT NULL,
        sequence  BIGINT NOT NULL,
        PRIMARY KEY (person_id, purpose, month)
    );
    CREATE INDEX benefit_months_source ON benefit_months (source, purpose);
    CREATE TABLE closed_benefits (
        person_id TEXT COLLATE "C" PRIMARY KEY,
        reason    TEXT COLLATE "C" NOT NULL,
        task_id   TEXT COLLATE "C" NOT NULL,
        sequence  BIGINT NOT NULL
    );
    CREATE TABLE evidence_people (
        sha256    TEXT COLLATE "C" PRIMARY KEY,
        person_id TEXT COLLATE "C" NOT NULL,
        sequence  BIGINT NOT NULL
    );
    """,
)
