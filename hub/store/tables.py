"""The ledger's tables, written once, and the migration ladder both dialects climb.

Each table is defined here once, with type names that each dialect spells its
own way (:data:`TYPES`): ``BYTEA`` for ``BLOB``, ``BIGINT`` for sequences, and
on PostgreSQL text that compares byte by byte (``COLLATE "C"``, as SQLite
does), so ordering, ``min`` and the roster's ``as_of`` comparison never depend
on the server's locale. Timestamps stay ISO-8601 text on both, so a record
reads back exactly as it was appended.

:data:`LADDER` lists the schema versions; a database records the versions it
has in a ``schema_version`` table and :func:`pending` says what is left to
run. Only the backfills of existing rows differ by dialect (their JSON
functions do), and only those are written twice. The two runners — a few
lines each, in :mod:`certhub.hub.store.sqlite.schema` and
:mod:`certhub.hub.store.postgres.schema` — only execute what :func:`pending` returns,
and a step's :attr:`Version.rewrites` (rows rewritten in Python, in the step's transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from certhub.hub.store.area_columns import OUTCOME_VILLAGE_BACKFILL, REGION_INDEX
from certhub.hub.store.biometrics import BIOMETRIC_TABLES
from certhub.hub.store.comparison_jobs import COMPARISON_PARTITIONS
from certhub.hub.store.deadlines import DEADLINE_BACKFILL, DEADLINE_TABLE, REPORT_DEADLINE_TABLE
from certhub.hub.store.deployment_tables import SHARED_IDENTITY
from certhub.hub.store.money import RESUMED_BACKFILL
from certhub.hub.store.ratings import RATING_TABLES
from certhub.hub.store.recovery import BALANCE_BACKFILL, RECOVERY_TABLES
from certhub.hub.store.register_reads import RESTORATIONS_BY_PERSON
from certhub.hub.store.register_tables import REGISTER, REGISTER_BACKFILL, REGISTER_PAGES
from certhub.hub.store.review_reads import REPORTS_BY_PERSON, REPORTS_BY_PERSON_BACKFILL
from certhub.hub.store.roster_stamps import AS_OF_COLUMNS, StampColumn
from certhub.hub.store.service_point_tables import SERVICE_POINTS
from certhub.hub.store.trust_tables import SHARED_TRUST

Dialect = Literal["sqlite", "postgres"]

TYPES: Final[dict[Dialect, dict[str, str]]] = {
    "sqlite": {
        "SEQUENCE_KEY": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "BIGINT": "INTEGER",
        "BLOB": "BLOB",
        "TEXT": "TEXT",
        "BOOL": "INTEGER",
        "FALSE": "0",
        "REAL": "REAL",
    },
    "postgres": {
        "SEQUENCE_KEY": "BIGINT PRIMARY KEY",  # the writer assigns sequences under its lock
        "BIGINT": "BIGINT",
        "BLOB": "BYTEA",
        "TEXT": 'TEXT COLLATE "C"',
        "BOOL": "BOOLEAN",
        "FALSE": "false",
        "REAL": "DOUBLE PRECISION",
    },
}

SCHEMA_VERSION: Final = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, applied_at {TIMESTAMP} NOT NULL DEFAULT {NOW})"
)
_SCHEMA_VERSION_TYPES: Final[dict[Dialect, dict[str, str]]] = {
    "sqlite": {"TIMESTAMP": "TEXT", "NOW": "CURRENT_TIMESTAMP"},
    "postgres": {"TIMESTAMP": "TIMESTAMPTZ", "NOW": "now()"},
}

LEDGER: Final = """
CREATE TABLE ledger (
    sequence     {SEQUENCE_KEY},
    kind         {TEXT} NOT NULL,
    message_type {TEXT} NOT NULL,
    sender       {TEXT} NOT NULL,
    message_id   {TEXT} NOT NULL,
    kid          {TEXT} NOT NULL,
    sha256       {TEXT} NOT NULL,
    jws          {BLOB} NOT NULL,
    payload      {BLOB} NOT NULL,
    received_at  {TEXT} NOT NULL,
    receipt      {TEXT} NOT NULL,
    county       {TEXT},
    reason       {TEXT},
    period       {TEXT},
    village      {TEXT},
    person_id    {TEXT},
    channel      {TEXT},
    outcome      {TEXT},
    UNIQUE (sender, message_id)
);
CREATE INDEX ledger_kind_sequence ON ledger (kind, sequence);
CREATE INDEX ledger_period ON ledger (period, message_type)
"""

PROCEDURE: Final = """
CREATE TABLE items (
    item_id     {BIGINT} PRIMARY KEY REFERENCES ledger (sequence),
    kind        {TEXT} NOT NULL,
    status      {TEXT} NOT NULL,
    accepted_by {TEXT},
    decided_by  {TEXT},
    municipal   {BOOL} NOT NULL DEFAULT {FALSE},
    version     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE tasks (
    task_id     {TEXT} PRIMARY KEY,
    person_id   {TEXT} NOT NULL,
    kind        {TEXT} NOT NULL,
    status      {TEXT} NOT NULL,
    county      {TEXT} NOT NULL,
    village     {TEXT},
    snapshot    {BLOB} NOT NULL,
    version     INTEGER NOT NULL,
    changed_seq {BIGINT} NOT NULL
);
CREATE UNIQUE INDEX tasks_one_open ON tasks (person_id, kind)
    WHERE status IN ('open', 'in_progress');
CREATE INDEX tasks_changed ON tasks (changed_seq);
CREATE TABLE roster (
    person_id {TEXT} PRIMARY KEY,
    as_of     {TEXT} NOT NULL,
    snapshot  {BLOB} NOT NULL,
    sequence  {BIGINT} NOT NULL
);
CREATE TABLE notices (
    notice_id {TEXT} PRIMARY KEY,
    person_id {TEXT} NOT NULL,
    kind      {TEXT} NOT NULL,
    text      {TEXT} NOT NULL,
    sequence  {BIGINT} NOT NULL,
    sent_at   {TEXT}
);
CREATE TABLE overpayments (
    task_id      {TEXT} PRIMARY KEY,
    person_id    {TEXT} NOT NULL,
    county       {TEXT} NOT NULL,
    period       {TEXT} NOT NULL,
    months       INTEGER NOT NULL,
    amount_cents {BIGINT} NOT NULL,
    sequence     {BIGINT} NOT NULL
);
CREATE TABLE audit (
    seq       {BIGINT} PRIMARY KEY,
    at        {TEXT} NOT NULL,
    action    {TEXT} NOT NULL,
    subject   {TEXT} NOT NULL,
    actor     {TEXT} NOT NULL,
    digest    {TEXT} NOT NULL,
    prev_hash {TEXT} NOT NULL,
    hash      {TEXT} NOT NULL
);
CREATE TABLE audit_checkpoints (
    audit_seq {BIGINT} PRIMARY KEY,
    hash      {TEXT} NOT NULL,
    jws       {TEXT} NOT NULL
)
"""

TASKS_CONFIRMED: Final = """
CREATE INDEX tasks_confirmed ON tasks (person_id, changed_seq)
    WHERE status = 'confirmed'
"""
"""A person's confirmed tasks in change order (a voided termination's findings) read by
key: ``tasks_one_open`` holds only open ones, so each restoration check scanned every task."""

AUDIT_EVIDENCE: Final = """
CREATE INDEX IF NOT EXISTS audit_evidence ON audit (subject, actor)
    WHERE action = 'evidence_stored'
"""
"""The uploader of each evidence file by its digest: a coordinator's key reads back only
the evidence it uploaded itself, asked on each download (no scan of the audit chain).
``IF NOT EXISTS``: a ledger wound back to an earlier version (tests of earlier steps) may
still hold it."""

AUDIT_UPLOADS: Final = """
CREATE INDEX IF NOT EXISTS audit_uploads ON audit (actor, at)
    WHERE action = 'evidence_stored'
"""
"""A coordinator's evidence files stored in the last hour, counted by key on each upload
(CERTHUB_COORDINATOR_UPLOADS_PER_HOUR), not by a scan of the audit chain."""

OUTBOX: Final = """
CREATE TABLE outbox (
    delivery_id     {TEXT} PRIMARY KEY,
    destination     {TEXT} NOT NULL,
    operation       {TEXT} NOT NULL,
    payload         {BLOB} NOT NULL,
    correlation_id  {TEXT},
    created_at      {REAL} NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {REAL} NOT NULL,
    state           {TEXT} NOT NULL DEFAULT 'pending',
    last_error      {TEXT},
    sequence        {BIGINT} NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('pending', 'published');
CREATE INDEX outbox_state ON outbox (state, destination);
CREATE TABLE deliveries (
    delivery_id  {TEXT} PRIMARY KEY,
    destination  {TEXT} NOT NULL,
    delivered_at {REAL} NOT NULL
)
"""

# Money safety (issue 13): the ledger itself refuses a month paid back or recovered
# twice, a second termination, one photo certifying two people.
MONEY_KEYS: Final = """
CREATE TABLE benefit_months (
    person_id {TEXT} NOT NULL,
    purpose   {TEXT} NOT NULL,
    month     {TEXT} NOT NULL,
    source    {TEXT} NOT NULL,
    sequence  {BIGINT} NOT NULL,
    PRIMARY KEY (person_id, purpose, month)
);
CREATE INDEX benefit_months_source ON benefit_months (source, purpose);
CREATE TABLE closed_benefits (
    person_id {TEXT} PRIMARY KEY,
    reason    {TEXT} NOT NULL,
    task_id   {TEXT} NOT NULL,
    sequence  {BIGINT} NOT NULL
);
CREATE TABLE evidence_people (
    sha256    {TEXT} PRIMARY KEY,
    person_id {TEXT} NOT NULL,
    sequence  {BIGINT} NOT NULL
)
"""

# Notices queued before the general outbox become its "sms" deliveries.
_OUTBOX_BACKFILL: Final[dict[Dialect, str]] = {
    "sqlite": """
    INSERT INTO outbox (delivery_id, destination, operation, payload, created_at,
        next_attempt_at, sequence)
        SELECT notice_id, 'sms', 'notify',
            CAST(json_object('kind', kind, 'person_id', person_id, 'text', text) AS BLOB),
            0, 0, sequence
        FROM notices WHERE sent_at IS NULL
    """,
    "postgres": """
    INSERT INTO outbox (delivery_id, destination, operation, payload, created_at,
        next_attempt_at, sequence)
        SELECT notice_id, 'sms', 'notify',
            convert_to(json_build_object('kind', kind, 'person_id', person_id, 'text', text)
                ::text, 'UTF8'),
            0, 0, sequence
        FROM notices WHERE sent_at IS NULL
    """,
}

# Existing ledgers get the money keys from their own records; a duplicate already
# there keeps its first row.
_MONEY_BACKFILL: Final[dict[Dialect, str]] = {
    "sqlite": """
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
    "postgres": """
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
        ON CONFLICT DO NOTHING
    """,
}


@dataclass(frozen=True, slots=True)
class Version:
    """One step of the ladder: tables (written once), a backfill per dialect, and columns
    whose every ``as_of`` the runner rewrites in Python after them (SQL cannot print it)."""

    tables: tuple[str, ...]
    backfill: dict[Dialect, str] | None = None
    rewrites: tuple[StampColumn, ...] = ()

    def statements(self, dialect: Dialect) -> list[str]:
        """This step's statements in ``dialect``, in order."""
        ddl = ";".join(self.tables).format(**TYPES[dialect])
        script = ddl + (";" + self.backfill[dialect] if self.backfill else "")
        return [s.strip() for s in script.split(";") if s.strip()]


LADDER: Final = (
    Version((LEDGER, PROCEDURE)),
    Version((OUTBOX,), _OUTBOX_BACKFILL),
    Version((MONEY_KEYS,), _MONEY_BACKFILL),
    Version(SHARED_IDENTITY),  # keys, evidence and singleton state shared by a deployment
    # overpayment recovery: balances, sums recovered, write-offs
    Version((RECOVERY_TABLES,), {"sqlite": BALANCE_BACKFILL, "postgres": BALANCE_BACKFILL}),
    Version((SERVICE_POINTS,)),  # the e-map's service-point registry (issue 18)
    Version((REGISTER,), REGISTER_BACKFILL),  # the certification register (issue 17)
    Version((DEADLINE_TABLE,), DEADLINE_BACKFILL),  # deadlines of verification tasks
    Version((), OUTCOME_VILLAGE_BACKFILL),  # outcomes' village, for village areas (issue 18)
    Version((BIOMETRIC_TABLES,)),  # the biometric enrolment registry (issue 19 §1)
    Version((RATING_TABLES,)),  # service evaluation: ratings and follow-ups (issue 19 §4)
    Version((REGION_INDEX,)),  # records by region, for area-scoped reads (issue 18)
    Version(SHARED_TRUST),  # the trust store and enrolment codes shared by a deployment
    Version((COMPARISON_PARTITIONS,)),  # a comparison run's city partitions (issue 17 §3)
    Version((), RESUMED_BACKFILL),  # the month each earlier restoration resumes payment in
    Version((TASKS_CONFIRMED,)),  # a person's confirmed tasks by key, not a scan of all
    # a person's eligibility reports by key: one under review holds back a restoration
    Version((REPORTS_BY_PERSON,), REPORTS_BY_PERSON_BACKFILL),
    Version((REPORT_DEADLINE_TABLE,)),  # reports under review held to a deadline: their marks
    # every stored roster as_of in China time: the roster compares it as text (roster_stamps)
    Version((), rewrites=AS_OF_COLUMNS),
    # a person's restoration proposals by key: one under review, the register reads them alive
    Version((RESTORATIONS_BY_PERSON,)),
    # a register list's or sweep's page is one index range after its cursor, not a sort of all;
    # PostgreSQL's statistics of the new area expressions at once (else it guesses, and sorts)
    Version((REGISTER_PAGES,), {"sqlite": "", "postgres": "ANALYZE register_people"}),
    Version((AUDIT_EVIDENCE,)),  # who uploaded each evidence file, read by key (coordinators)
    Version((AUDIT_UPLOADS,)),  # a coordinator's evidence files in the last hour, by key
)
"""Schema versions 1, 2, 3, … (never edit a shipped one: add the next)."""


def schema_version_table(dialect: Dialect) -> str:
    """The ``CREATE TABLE IF NOT EXISTS schema_version`` statement in ``dialect``."""
    return SCHEMA_VERSION.format(**_SCHEMA_VERSION_TYPES[dialect])


def pending(current: int, dialect: Dialect) -> list[tuple[int, list[str]]]:
    """(version, statements) of every step after ``current``, oldest first."""
    return [
        (number, step.statements(dialect))
        for number, step in enumerate(LADDER[current:], start=current + 1)
    ]
