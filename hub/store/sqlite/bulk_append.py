"""The SQLite executor of :mod:`~certhub.hub.store.bulk_append`, in the writer's transaction.

Each statement runs once with ``executemany`` for the whole bulk (in-process
calls on the event-loop thread, like every SQLite write). The writer calls
it as a group-commit write: under a savepoint, so a database error undoes
the bulk and nothing else; any other failure fails the whole transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from certhub.hub.store import ledger_rows
from certhub.hub.store.audit_chain import AuditChain
from certhub.hub.store.base import LedgerRecord, StoreError, StoreUnavailable
from certhub.hub.store.bulk_append import (
    LOOKUP_CHUNK,
    BulkItem,
    BulkOutcome,
    closed_people,
    ids_by_sender,
    lookup_sql,
    plan_bulk,
)
from certhub.hub.store.bulk_closures import closed_sql
from certhub.hub.store.sqlite.executor import AUDIT_INSERT


def append_bulk(
    conn: sqlite3.Connection,
    chain: AuditChain,
    take_sequence: Callable[[], int],
    batch: Sequence[BulkItem],
) -> list[BulkOutcome]:
    """Store ``batch`` in the open transaction; each message's outcome, in order.

    Raises:
        sqlite3.Error: the database refused a statement (the caller's savepoint undoes all).
        StoreUnavailable: anything else went wrong (the caller fails the transaction).
    """
    try:
        plan = plan_bulk(batch, _stored(conn, batch), take_sequence, chain, _closed(conn, batch))
        conn.executemany(ledger_rows.INSERT, plan.ledger)
        conn.executemany(AUDIT_INSERT, plan.links)
        for sql, rows in plan.statements.items():
            conn.executemany(sql, rows)
    except (sqlite3.Error, StoreError):
        raise
    except Exception as exc:  # a bug or a misuse: nothing of the bulk may stay
        raise StoreUnavailable(f"bulk append failed: {exc}") from exc
    return plan.outcomes


def _stored(
    conn: sqlite3.Connection, batch: Sequence[BulkItem]
) -> dict[tuple[str, str], LedgerRecord]:
    """The batch's messages already in the ledger, read in this transaction."""
    found: dict[tuple[str, str], LedgerRecord] = {}
    for sender, ids in ids_by_sender(batch).items():
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = ids[start : start + LOOKUP_CHUNK]
            for row in conn.execute(lookup_sql(len(chunk)), (sender, *chunk)):
                record = ledger_rows.to_record(tuple(row))
                found[record.sender, record.message_id] = record
    return found


def _closed(conn: sqlite3.Connection, batch: Sequence[BulkItem]) -> dict[str, str]:
    """The closures (person to task) of the batch's announced certifications' people, read in
    this transaction (:mod:`~certhub.hub.store.bulk_closures`)."""
    people = closed_people(batch)
    closed: dict[str, str] = {}
    for start in range(0, len(people), LOOKUP_CHUNK):
        chunk = people[start : start + LOOKUP_CHUNK]
        closed.update((str(p), str(t)) for p, t in conn.execute(closed_sql(len(chunk)), chunk))
    return closed
