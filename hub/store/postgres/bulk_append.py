"""The PostgreSQL executor of :mod:`~certhub.hub.store.bulk_append`, in one group commit.

Every statement is a round trip under the writer lock, so the bulk's ledger
rows and audit links go in with one binary ``COPY`` each (from
:data:`COPY_FROM` rows on; fewer with one ``unnest`` insert, the links with the
group's own, :meth:`~certhub.hub.store.postgres.executor.GroupWrite.flush_audit`),
the deliveries, register rows and notices with their ``unnest`` forms
(:data:`~certhub.hub.store.postgres.executor.BULK`), and any other statement
of the plans once with ``executemany`` (pipelined by asyncpg). The writer runs
it under a savepoint: a database error undoes the bulk (sequences and links
included) and nothing else.

Why ``COPY``: both are plain inserts (a message already stored was left out
when planning, and the sequences and links are new), and asyncpg encodes an
array parameter element by element with abstract-class checks — for 4,096
certifications, hundreds of thousands of them; ``COPY`` encodes each value
with its column's binary codec.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from certhub.hub.store import ledger_rows
from certhub.hub.store.base import LedgerRecord
from certhub.hub.store.bulk_append import (
    LOOKUP_CHUNK,
    BulkItem,
    BulkOutcome,
    ids_by_sender,
    plan_bulk,
)
from certhub.hub.store.postgres import schema
from certhub.hub.store.postgres.executor import GroupWrite

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
    plan = plan_bulk(batch, await _stored(group, batch), group.take_sequence, group.chain)
    conn = group.conn
    if len(plan.ledger) >= COPY_FROM:
        await _copy(conn, "ledger", LEDGER_COLUMNS, plan.ledger)
        await _copy(conn, "audit", AUDIT_COLUMNS, plan.links)
    else:
        if plan.ledger:
            await conn.execute(LEDGER_BULK_INSERT, *map(list, zip(*plan.ledger, strict=True)))
        group.links.extend(plan.links)  # inserted with the group's other links before COMMIT
    await group.run_statements(plan.statements)
    return plan.outcomes


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
