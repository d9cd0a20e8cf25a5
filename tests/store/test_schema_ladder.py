"""One ladder for both dialects: ledgers built by the old per-dialect ladders open and migrate.

The ledger's tables are written once (``certhub.hub.store.tables``) and both dialects
count versions in ``schema_version``. Before that, SQLite counted in ``PRAGMA
user_version`` on a ladder of its own (``legacy_ladders``, frozen as it
shipped). A ledger stopped at any old version, with records in it, must open
with today's code, keep its records, and end with exactly the schema a new
ledger gets; a new ledger must have exactly the schema the old ladders built.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest
from ledger_backends import reset_database
from ledgerkit import unsigned_message
from legacy_ladders import POSTGRES, SQLITE
from plankit import created_name

from certhub.hub.store import NewMessage, SqliteLedger
from certhub.hub.store.postgres import PostgresLedger
from certhub.hub.store.tables import LADDER

# Tables of the versions after the legacy ladders (schema 4 on): a new ledger has them too.
LATER_TABLES = {
    created_name(statement)
    for step in LADDER[len(POSTGRES) :]
    for statement in step.statements("sqlite")
    if statement.upper().startswith("CREATE TABLE")
}

# Indexes the later versions add to the legacy tables (e.g. certification events by person).
LATER_INDEXES = {
    created_name(statement)
    for step in LADDER[len(POSTGRES) :]
    for statement in step.statements("sqlite")
    if statement.upper().startswith("CREATE INDEX")
}

OLD_ROW = (
    "INSERT INTO ledger (sequence, kind, message_type, sender, message_id, kid, sha256, jws,"
    " payload, received_at, receipt, county, reason, period)"
    " VALUES (1, 'report', 'eligibility_report/v1', 'city', 'old-1', 'kid', 'ab', X'6a7773',"
    " X'7b7d', '2024-04-02T08:00:00+00:00', 'receipt-1', '440103', 'death', '2024-03')"
)
OLD_NOTICE = (
    "INSERT INTO notices (notice_id, person_id, kind, text, sequence)"
    " VALUES ('n-old', 'P1', 'certification_result', 'passed', 1)"
)


def new_message() -> NewMessage:
    return unsigned_message(1, jws=b"new-1", message_id="new-1")


async def still_serves_the_old_rows(
    ledger: SqliteLedger | PostgresLedger, old_notice: bool
) -> None:
    """The migrated ledger finds the old record, appends after it and delivers an old notice."""
    record = await ledger.find("city", "old-1")
    assert record is not None
    assert record.receipt == "receipt-1"
    assert (await ledger.append(new_message(), lambda seq: f"r{seq}")).record.sequence == 2
    if old_notice:  # a notice from before the outbox became an SMS delivery
        rows = await ledger.claim_outbox(10, now=2e9, lease=30)
        assert [(row.delivery_id, row.destination) for row in rows] == [("n-old", "sms")]


def sqlite_shape(path: Path) -> list[tuple[object, ...]]:
    """Columns, indexes and the schema version of a SQLite ledger, comparable across builds."""
    conn = sqlite3.connect(path)
    try:
        shape: list[tuple[object, ...]] = []
        names = conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name != 'sqlite_sequence'"
            " ORDER BY name"
        ).fetchall()
        for (table,) in names:
            shape += [(table, *column) for column in conn.execute(f"PRAGMA table_info({table})")]
        indexes = conn.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type='index' ORDER BY name"
        )
        shape += [(n, t, " ".join(str(sql).split())) for n, t, sql in indexes]
        if ("schema_version",) in names:
            versions = conn.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
            shape.append(("versions", *(v for (v,) in versions)))
        return shape
    finally:
        conn.close()


def build_sqlite(path: Path, version: int) -> None:
    """A ledger as the old SQLite ladder left it at ``version``, with a record (and a notice)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for number, script in enumerate(SQLITE[:version], start=1):
            for statement in filter(str.strip, script.split(";")):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={number}")
        conn.execute(OLD_ROW)
        if version >= 2:  # the notices table came with the second step
            conn.execute(OLD_NOTICE)
    finally:
        conn.close()


@pytest.mark.parametrize("version", range(1, len(SQLITE) + 1))
async def test_an_old_sqlite_ledger_opens_keeps_its_records_and_gets_todays_schema(
    tmp_path: Path, version: int
) -> None:
    old = tmp_path / "old.db"
    build_sqlite(old, version)
    ledger = await SqliteLedger.open(old)
    await still_serves_the_old_rows(ledger, old_notice=version == 2)
    await ledger.aclose()
    fresh = tmp_path / "fresh.db"
    await (await SqliteLedger.open(fresh)).aclose()
    assert sqlite_shape(old) == sqlite_shape(fresh)
    conn = sqlite3.connect(old)
    (counter,) = conn.execute("PRAGMA user_version").fetchone()
    conn.close()
    # the releases before schema_version still read it: one more than today's number
    assert counter == len(LADDER) + 1


async def test_a_new_sqlite_ledger_has_the_schema_the_old_ladder_built(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    build_sqlite(old, len(SQLITE))
    fresh = tmp_path / "fresh.db"
    await (await SqliteLedger.open(fresh)).aclose()
    new_only = ("schema_version", "versions", *LATER_TABLES, *LATER_INDEXES)
    legacy = [row for row in sqlite_shape(fresh) if not {row[0], row[1]} & {*new_only}]
    assert legacy == sqlite_shape(old)


async def pg_shape(url: str) -> list[tuple[object, ...]]:
    """Columns (types, collations, defaults), constraints, indexes and versions of a database."""
    conn = await asyncpg.connect(url, timeout=10)
    try:
        columns = await conn.fetch(
            "SELECT table_name, ordinal_position, column_name, data_type, collation_name,"
            " is_nullable, column_default FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY 1, 2"
        )
        constraints = await conn.fetch(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
        )
        indexes = await conn.fetch(
            "SELECT tablename, indexname, indexdef FROM pg_indexes"
            " WHERE schemaname = 'public' ORDER BY 1, 2"
        )
        versions = await conn.fetch("SELECT version FROM schema_version ORDER BY 1")
        rows = [*columns, *constraints, *indexes]
        return [tuple(row) for row in rows] + [("versions", *(v for (v,) in versions))]
    finally:
        await conn.close()


async def build_postgres(url: str, version: int) -> None:
    """A database as the old PostgreSQL ladder left it at ``version``, with a record."""
    conn = await asyncpg.connect(url, timeout=10)
    try:
        await conn.execute(
            "CREATE TABLE schema_version ("
            " version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        for number, script in enumerate(POSTGRES[:version], start=1):
            await conn.execute(script)
            await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", number)
        pg_row = OLD_ROW.replace("X'6a7773'", "'jws'::bytea").replace("X'7b7d'", "'{}'::bytea")
        await conn.execute(pg_row)
        await conn.execute(OLD_NOTICE)
    finally:
        await conn.close()


@pytest.mark.parametrize("version", range(1, len(POSTGRES) + 1))
async def test_an_old_postgres_ledger_opens_keeps_its_records_and_gets_todays_schema(
    pg_url: str, version: int
) -> None:
    await build_postgres(pg_url, version)
    ledger = await PostgresLedger.open(pg_url)
    await still_serves_the_old_rows(ledger, old_notice=version == 1)
    await ledger.aclose()
    migrated = await pg_shape(pg_url)
    await reset_database(pg_url)
    await (await PostgresLedger.open(pg_url)).aclose()
    assert migrated == await pg_shape(pg_url)
    assert migrated[-1] == ("versions", *range(1, len(LADDER) + 1))


async def test_a_new_postgres_ledger_has_the_schema_the_old_ladder_built(pg_url: str) -> None:
    await build_postgres(pg_url, len(POSTGRES))
    old = await pg_shape(pg_url)
    await reset_database(pg_url)
    await (await PostgresLedger.open(pg_url)).aclose()
    assert legacy_part(await pg_shape(pg_url)) == old


def legacy_part(shape: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """``shape`` without the tables and versions added after the legacy ladders."""
    rows = [
        row
        for row in shape
        if row[0] not in LATER_TABLES and not (len(row) > 1 and row[1] in LATER_INDEXES)
    ]
    return [*rows[:-1], rows[-1][: len(POSTGRES) + 1]]
