"""The PostgreSQL executor of :mod:`~certhub.hub.store.bulk_append`, in one group commit.

Every statement is a round trip under the writer lock. From :data:`COPY_FROM`
messages on, the bulk's ledger rows and audit links go in with one binary
``COPY`` each, and the deliveries, register rows and notices by ``COPY`` into a
staging table each, then one insert from it with the statement's own conflict
rule (:data:`STAGED`, made from the ``unnest`` forms of
:data:`~certhub.hub.store.postgres.executor.BULK`). A smaller bulk inserts its
ledger rows with one ``unnest``, its links with the group's own
(:meth:`~certhub.hub.store.postgres.executor.GroupWrite.flush_audit`) and the
rest in their ``unnest`` forms; any other statement runs once with
``executemany`` (pipelined by asyncpg). The writer runs it under a savepoint: a
database error undoes the bulk (sequences, links and staging tables included)
and nothing else.

Why ``COPY``: asyncpg encodes an array parameter element by element with
abstract-class checks — for 4,096 certifications, hundreds of thousands of
them; ``COPY`` encodes each value with its column's binary codec. 20,000
certifications (bench/README.md): ledger and links by ``COPY`` +9 % records per
CPU-second of the recording, the other statements staged another +7 %.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

from certhub.hub.store import ledger_rows
from certhub.hub.store.base import LedgerRecord
from certhub.hub.store.bulk_append import (
    LOOKUP_CHUNK,
    BulkItem,
    BulkOutcome,
    closed_people,
    ids_by_sender,
    plan_bulk,
)
from certhub.hub.store.bulk_closures import CLOSED_OF
from certhub.hub.store.postgres import schema
from certhub.hub.store.postgres.executor import BULK, GroupWrite

_TYPES: Final = ("bigint",) + ("text",) * 6 + ("bytea",) * 2 + ("text",) * 9
LEDGER_BULK_INSERT: Final = (
    "INSERT INTO ledger (sequence, kind, message_type, sender, message_id, kid, sha256, jws,"
    " payload, received_at, receipt, county, reason, period, village, person_id, channel,"
    " outcome) SELECT * FROM unnest("
    + ", ".join(f"${n}::{kind}[]" for n, kind in enumerate(_TYPES, start=1))
    + ")"
)
""":data:`~certhub.hub.store.ledger_rows.INSERT` for column arrays (same columns, in order)."""

LEDGER_COLUMNS: Final = tuple(
    c.strip() for c in ledger_rows.INSERT.split("(", 1)[1].split(")", 1)[0].split(",")
)
""":data:`~certhub.hub.store.ledger_rows.INSERT`'s columns, in order."""
AUDIT_COLUMNS: Final = ("seq", "at", "action", "subject", "actor", "digest", "prev_hash", "hash")
COPY_FROM: Final = 64
"""Rows from which a bulk's ledger rows and links are copied rather than inserted."""

STORED: Final = (
    "SELECT "
    + ", ".join(f"ledger.{c.strip()}" for c in ledger_rows.COLUMNS.split(","))
    + " FROM unnest(?::text[]) AS m(id)"
    " JOIN ledger ON ledger.sender = ? AND ledger.message_id = m.id"
)
"""The records of one sender under a list of message ids, ``?`` placeholders (ids, sender).

A join on the ids, so each is one probe of the (sender, message id) index; with
``message_id = ANY(…)`` (or ``IN``) the planner scanned every record of the sender
and filtered — a lookup per batch that grew with the ledger."""


async def append_bulk(group: GroupWrite, batch: Sequence[BulkItem]) -> list[BulkOutcome]:
    """Store ``batch`` in the open transaction; each message's outcome, in order.

    Raises:
        asyncpg.PostgresError: the database refused a statement (the caller's savepoint
            undoes the bulk).
    """
    stored, closed = await _stored(group, batch), await _closed(group, batch)
    plan = plan_bulk(batch, stored, group.take_sequence, group.chain, closed)
    conn = group.conn
    if len(plan.ledger) >= COPY_FROM:
        await _copy(conn, "ledger", LEDGER_COLUMNS, plan.ledger)
        await _copy(conn, "audit", AUDIT_COLUMNS, plan.links)
        await _run_staged(group, plan.statements)
        return plan.outcomes
    if plan.ledger:
        await conn.execute(LEDGER_BULK_INSERT, *map(list, zip(*plan.ledger, strict=True)))
    group.links.extend(plan.links)  # inserted with the group's other links before COMMIT
    await group.run_statements(plan.statements)
    return plan.outcomes


_UNNEST: Final = re.compile(r"unnest\(((?:\$\d+::\w+\[\](?:, )?)+)\)")
_ARRAY: Final = re.compile(r"\$\d+::(\w+)\[\]")


def staged(bulk: str, stage: str) -> tuple[str, str] | None:
    """The staging table ``stage`` (its ``CREATE``) and the statement reading it, of one
    :data:`~certhub.hub.store.postgres.executor.BULK` statement over column arrays: the
    same statement with its ``unnest($1::t[], …)`` read from a table of those columns.
    None when the statement has no single such ``unnest`` (it then runs as it is).

    Each statement has a staging table of its own name: asyncpg caches the column types
    it reads for a ``COPY`` by table name, so one name must always mean one shape."""
    found = _UNNEST.findall(bulk)
    if len(found) != 1:
        return None
    columns = ", ".join(f"c{n} {kind}" for n, kind in enumerate(_ARRAY.findall(found[0])))
    create = f"CREATE TEMPORARY TABLE {stage} ({columns}) ON COMMIT DROP"
    return create, _UNNEST.sub(stage, bulk)


STAGED: Final = {
    sql: (f"bulk_append_stage_{n}", form)
    for n, (sql, bulk) in enumerate(BULK.items())
    if (form := staged(bulk, f"bulk_append_stage_{n}")) is not None
}
"""The statements a large bulk copies into a staging table, then inserts from it."""


async def _run_staged(
    group: GroupWrite, statements: Mapping[str, list[tuple[object, ...]]]
) -> None:
    """Each statement for all its rows, in order: those of :data:`STAGED` by ``COPY`` into a
    staging table and one insert from it (the table dropped at once, so the next statement
    or bulk stages its own), any other as the group runs it."""
    conn = group.conn
    for sql, rows in statements.items():
        if (form := STAGED.get(sql)) is None:
            await group.run_statements({sql: rows})
            continue
        stage, (create, insert) = form
        await conn.execute(create)
        await conn.copy_records_to_table(stage, records=rows)
        await conn.execute(insert)
        await conn.execute(f"DROP TABLE {stage}")


async def _copy(
    conn: schema.Conn, table: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]
) -> None:
    """Insert ``rows`` (values of ``columns``, in order) into ``table`` by binary ``COPY``."""
    await conn.copy_records_to_table(table, records=rows, columns=list(columns))


async def _stored(
    group: GroupWrite, batch: Sequence[BulkItem]
) -> dict[tuple[str, str], LedgerRecord]:
    """The batch's messages already in the ledger, read under the writer lock."""
    found: dict[tuple[str, str], LedgerRecord] = {}
    for sender, ids in ids_by_sender(batch).items():
        for start in range(0, len(ids), LOOKUP_CHUNK * 20):
            chunk = ids[start : start + LOOKUP_CHUNK * 20]
            for row in await group.conn.fetch(schema.dollar(STORED), chunk, sender):
                record = ledger_rows.to_record(tuple(row))
                found[record.sender, record.message_id] = record
    return found


async def _closed(group: GroupWrite, batch: Sequence[BulkItem]) -> dict[str, str]:
    """The closures (person to task) of the batch's announced certifications' people, read
    under the writer lock (:mod:`~certhub.hub.store.bulk_closures`): one probe each."""
    if not (people := closed_people(batch)):
        return {}
    rows = await group.conn.fetch(schema.dollar(CLOSED_OF), people)
    return {str(row[0]): str(row[1]) for row in rows}
