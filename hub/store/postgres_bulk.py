"""Plain messages (no effects) of a group commit, stored with one statement per run of them.

Per-message round trips would make PostgreSQL several times slower than
SQLite, whose statements are in-process calls. Consecutive plain messages of
a batch are therefore resolved together: one query finds those already
stored (idempotent re-sends and replays), the rest get their sequences,
receipts and audit links in Python, and one statement inserts every row and
link through ``unnest``. Nothing in such a run can fail a precondition, so no
savepoint is needed; the writer lock guarantees nobody else inserts meanwhile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from hub.store import sqlite_schema
from hub.store.base import AppendOutcome, LedgerRecord, ReplayConflict, StoreUnavailable
from hub.store.postgres_effects import GroupWrite

if TYPE_CHECKING:
    from hub.store.group_commit import Append

_LEDGER_TYPES: Final = ("bigint",) + ("text",) * 6 + ("bytea",) * 2 + ("text",) * 9
_AUDIT_TYPES: Final = ("bigint",) + ("text",) * 7


def _unnest(types: tuple[str, ...], first: int) -> str:
    arrays = ", ".join(f"${first + n}::{kind}[]" for n, kind in enumerate(types))
    return f"SELECT * FROM unnest({arrays})"


BULK_INSERT: Final = (
    "WITH fresh AS (INSERT INTO ledger (sequence, kind, message_type, sender, message_id, kid,"
    " sha256, jws, payload, received_at, receipt, county, reason, period, village, person_id,"
    f" channel, outcome) {_unnest(_LEDGER_TYPES, 1)})"
    " INSERT INTO audit (seq, at, action, subject, actor, digest, prev_hash, hash)"
    f" {_unnest(_AUDIT_TYPES, 1 + len(_LEDGER_TYPES))}"
)
SELECT_STORED: Final = (
    f"SELECT {sqlite_schema.COLUMNS} FROM ledger WHERE (sender, message_id) IN"
    " (SELECT * FROM unnest($1::text[], $2::text[]))"
)


async def append_plain(group: GroupWrite, run: list[tuple[int, Append]]) -> dict[int, object]:
    """Store a run of plain appends (``(index, Append)``); each index's outcome or error."""
    if not run:
        return {}
    messages = [job.message for _, job in run]
    found = await group.conn.fetch(
        SELECT_STORED, [m.sender for m in messages], [m.message_id for m in messages]
    )
    stored: dict[tuple[str, str], LedgerRecord] = {}
    for row in found:
        record = sqlite_schema.to_record(tuple(row))
        stored[record.sender, record.message_id] = record
    rows: list[tuple[object, ...]] = []
    links: list[tuple[object, ...]] = []
    outcomes: dict[int, object] = {}
    for index, job in run:
        message = job.message
        existing = stored.get((message.sender, message.message_id))
        if existing is not None:
            same = existing.sha256 == message.sha256
            outcomes[index] = (
                AppendOutcome(existing, created=False)
                if same
                else ReplayConflict("message id already used for a different message")
            )
            continue
        sequence = group.next_sequence
        try:
            receipt = job.receipt_for(sequence)
        except Exception as exc:  # a signing failure fails this message only
            outcomes[index] = StoreUnavailable(f"could not sign the receipt: {exc}")
            continue
        group.take_sequence()
        record = sqlite_schema.new_record(sequence, message, receipt)
        stored[message.sender, message.message_id] = record
        rows.append(sqlite_schema.insert_params(sequence, message, receipt))
        at = message.received_at.isoformat()
        e = group.chain.next(at, "message_accepted", str(sequence), message.sender, message.sha256)
        links.append((e.seq, e.at, e.action, e.subject, e.actor, e.digest, e.prev_hash, e.hash))
        outcomes[index] = AppendOutcome(record, created=True)
    if rows:
        columns = [*zip(*rows, strict=True), *zip(*links, strict=True)]
        await group.conn.execute(BULK_INSERT, *map(list, columns))
    return outcomes
