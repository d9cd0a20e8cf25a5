"""Plain messages of a group commit, stored with one statement per run of them.

A message is plain when its effects, if any, cannot refuse: opening its own
item under review (eligibility reports, assisted certifications), and the
register write, uplink delivery and notices of a passed certification
(:func:`is_plain`). The register's, outbox's and notices' statements of a run
go in after its ledger rows, each once for the run in its ``unnest`` form
(:meth:`~certhub.hub.store.postgres.executor.GroupWrite.run_statements`) —
the same rows as one by one, because a run never holds two certifications of
one person (:func:`person_of`: the caller ends the run there).

Per-message round trips would make PostgreSQL several times slower than
SQLite, whose statements are in-process calls. Consecutive plain messages of
a batch are therefore stored together, in one statement through ``unnest``:
their sequences, receipts and audit links are computed in Python as if none
were stored yet (the common case), and the statement inserts them only if
that is so. Otherwise (an idempotent re-send, a replay) one query first
finds those already stored and the rest are inserted. Nothing in such a run
can fail a precondition, so no savepoint is needed; the writer lock
guarantees nobody else inserts meanwhile, so the statement's own check holds.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Final

from certhub.hub.store import ledger_rows, writes
from certhub.hub.store.base import AppendOutcome, LedgerRecord, ReplayConflict, StoreUnavailable
from certhub.hub.store.bulk_append import collect_statement
from certhub.hub.store.effects import NO_EFFECTS, Effects
from certhub.hub.store.postgres.executor import GroupWrite

if TYPE_CHECKING:
    from certhub.hub.store.group_commit import Append

_LEDGER_TYPES: Final = ("bigint",) + ("text",) * 6 + ("bytea",) * 2 + ("text",) * 9
_AUDIT_TYPES: Final = ("bigint",) + ("text",) * 7


def _unnest(types: tuple[str, ...], first: int) -> str:
    arrays = ", ".join(f"${first + n}::{kind}[]" for n, kind in enumerate(types))
    return f"SELECT * FROM unnest({arrays})"


_ITEMS_FIRST: Final = 1 + len(_LEDGER_TYPES) + len(_AUDIT_TYPES)


def _inserts(condition: str) -> tuple[str, str, str]:
    """The ledger rows, audit links and items inserts of a run, each with ``condition``."""
    return (
        "INSERT INTO ledger (sequence, kind, message_type, sender, message_id, kid, sha256,"
        " jws, payload, received_at, receipt, county, reason, period, village, person_id,"
        f" channel, outcome) {_unnest(_LEDGER_TYPES, 1)}{condition}",
        "INSERT INTO audit (seq, at, action, subject, actor, digest, prev_hash, hash)"
        f" {_unnest(_AUDIT_TYPES, 1 + len(_LEDGER_TYPES))}{condition}",
        "INSERT INTO items (item_id, kind, status, municipal)"
        f" SELECT item_id, kind, 'received', municipal FROM unnest(${_ITEMS_FIRST}::bigint[],"
        f" ${_ITEMS_FIRST + 1}::text[], ${_ITEMS_FIRST + 2}::boolean[])"
        f" AS t(item_id, kind, municipal){condition}",
    )


_LEDGER, _LINKS, _ITEMS = _inserts("")
BULK_INSERT: Final = f"WITH fresh AS ({_LEDGER}), links AS ({_LINKS}) {_ITEMS}"

# BULK_INSERT, but every insert only when no message of the run is stored yet.
_LEDGER_IF, _LINKS_IF, _ITEMS_IF = _inserts(" WHERE (SELECT yes FROM none_stored)")
BULK_INSERT_IF_NONE_STORED: Final = (
    "WITH none_stored AS (SELECT NOT EXISTS (SELECT 1 FROM ledger WHERE (sender, message_id)"
    " IN (SELECT * FROM unnest($4::text[], $5::text[]))) AS yes),"
    f" fresh AS ({_LEDGER_IF}), links AS ({_LINKS_IF}), items AS ({_ITEMS_IF})"
    " SELECT yes FROM none_stored"
)


def is_plain(effects: Effects) -> bool:
    """Whether a message with ``effects`` can be stored by the bulk path: an item opened,
    a register write, deliveries (``ON CONFLICT DO NOTHING``) and notices at most."""
    if effects is NO_EFFECTS:
        return True
    rest = replace(effects, item=None, certified=None, outbox=(), notices=())
    return rest == NO_EFFECTS


def person_of(effects: Effects) -> str | None:
    """The person whose register row ``effects`` upsert (one per run: see the module)."""
    return None if effects.certified is None else effects.certified.person_id


SELECT_STORED: Final = (
    f"SELECT {ledger_rows.COLUMNS} FROM ledger WHERE (sender, message_id) IN"
    " (SELECT * FROM unnest($1::text[], $2::text[]))"
)


async def append_plain(group: GroupWrite, run: list[tuple[int, Append]]) -> dict[int, object]:
    """Store a run of plain appends (``(index, Append)``); each index's outcome or error."""
    if not run:
        return {}
    messages = [job.message for _, job in run]
    if len({(m.sender, m.message_id) for m in messages}) == len(messages):
        mark = group.mark()
        outcomes, columns, statements = _prepare(group, run, {})
        if not columns:  # every receipt failed: nothing to insert
            return outcomes
        if await group.conn.fetchval(BULK_INSERT_IF_NONE_STORED, *columns):
            await group.run_statements(statements)
            return outcomes
        group.restore(mark)  # some are stored already: find them, insert the rest
    found = await group.conn.fetch(
        SELECT_STORED, [m.sender for m in messages], [m.message_id for m in messages]
    )
    stored: dict[tuple[str, str], LedgerRecord] = {}
    for row in found:
        record = ledger_rows.to_record(tuple(row))
        stored[record.sender, record.message_id] = record
    outcomes, columns, statements = _prepare(group, run, stored)
    if columns:
        await group.conn.execute(BULK_INSERT, *columns)
        await group.run_statements(statements)
    return outcomes


def _prepare(
    group: GroupWrite, run: list[tuple[int, Append]], stored: dict[tuple[str, str], LedgerRecord]
) -> tuple[dict[int, object], list[list[object]], dict[str, list[tuple[object, ...]]]]:
    """Outcomes of the run given what is ``stored``, the column arrays of the new rows, and
    the rows of their other effects' statements (register, deliveries, notices) by SQL.

    Takes a sequence, signs a receipt and chains an audit link for each new
    message; ``stored`` gains the new records, so a second copy of a message
    in the run is its duplicate. The columns are empty when nothing is new.
    """
    rows: list[tuple[object, ...]] = []
    links: list[tuple[object, ...]] = []
    items: list[tuple[object, ...]] = []
    statements: dict[str, list[tuple[object, ...]]] = {}
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
        record = ledger_rows.new_record(sequence, message, receipt)
        stored[message.sender, message.message_id] = record
        rows.append(ledger_rows.insert_params(sequence, message, receipt))
        at = message.received_at.isoformat()
        e = group.chain.next(at, "message_accepted", str(sequence), message.sender, message.sha256)
        links.append((e.seq, e.at, e.action, e.subject, e.actor, e.digest, e.prev_hash, e.hash))
        if job.effects.item is not None:
            items.append((sequence, job.effects.item.kind, job.effects.item.municipal))
        effects = job.effects
        if effects.certified is not None or effects.outbox or effects.notices:
            # the same writes.plan as one by one, but the item (inserted with the ledger rows)
            rest = replace(effects, item=None)
            for op in writes.plan(sequence, message, rest, group.take_sequence):
                collect_statement(statements, op)
        outcomes[index] = AppendOutcome(record, created=True)
    if not rows:
        return outcomes, [], {}
    item_columns = [list(c) for c in zip(*items, strict=True)] if items else [[], [], []]
    columns = [*zip(*rows, strict=True), *zip(*links, strict=True)]
    return outcomes, [*map(list, columns), *item_columns], statements
