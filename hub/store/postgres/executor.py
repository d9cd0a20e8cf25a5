"""The asyncpg executor of :mod:`~certhub.hub.store.writes`, in one group-commit transaction.

A :class:`GroupWrite` lives for one transaction only: it starts from the next
sequence and audit head read under the writer lock, and hands out sequences
and audit links from there. Audit links wait and go in with one statement
before ``COMMIT``, and the deliveries of a message with one ``unnest``
insert: on PostgreSQL every statement is a round trip under the writer lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Final

import asyncpg

from certhub.hub.store import outbox, register, roster_import, writes
from certhub.hub.store.audit_chain import AuditChain
from certhub.hub.store.base import NewMessage
from certhub.hub.store.effects import Effects
from certhub.hub.store.postgres import schema

AUDIT_BULK_INSERT: Final = (
    "INSERT INTO audit (seq, at, action, subject, actor, digest, prev_hash, hash)"
    " SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],"
    " $6::text[], $7::text[], $8::text[])"
)
# All the deliveries a message queues in one statement (a record may queue hundreds: a
# round trip each, under the writer lock, held up every other writer). Same columns and
# conflict rule as ``outbox.INSERT``; an id twice keeps its first row, as one by one.
OUTBOX_BULK_INSERT: Final = (
    "INSERT INTO outbox (delivery_id, destination, operation, payload, correlation_id,"
    " created_at, attempts, next_attempt_at, state, sequence)"
    " SELECT delivery_id, destination, operation, payload, correlation_id, created_at, 0,"
    " next_attempt_at, 'pending', sequence FROM unnest($1::text[], $2::text[], $3::text[],"
    " $4::bytea[], $5::text[], $6::float8[], $7::float8[], $8::bigint[])"
    " AS t(delivery_id, destination, operation, payload, correlation_id, created_at,"
    " next_attempt_at, sequence) ON CONFLICT (delivery_id) DO NOTHING"
)


# The register's and the notices' statements over column arrays (same columns, conflict
# rules and updates): a bulk of certifications writes them once per bulk, not once per row.
# Valid only for rows about distinct people (an upsert may not touch one row twice in a
# statement), which every caller guarantees: a bulk refuses a person twice.
def _over_arrays(sql: str, values: str, arrays: str) -> str:
    """``sql`` with its one ``values`` clause read from column ``arrays`` instead."""
    if sql.count(values) != 1:  # the statement changed: its array form must change with it
        raise RuntimeError(f"no single {values!r} in {sql[:60]!r}")
    return sql.replace(values, arrays)


REGISTER_CERTIFIED_BULK: Final = _over_arrays(
    register.CERTIFIED,
    " VALUES (?,?,?,?,?,?,?,?,?,?)",
    " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],"
    " $6::text[], $7::bigint[], $8::bigint[], $9::integer[], $10::integer[])",
)
REGISTER_LINKED_BULK: Final = (
    "INSERT INTO register_certifications (sequence, person_id, certified_on, month, method,"
    " channel, of_record) SELECT s, p, d, m, how, via,"
    " (SELECT record_sequence FROM register_people WHERE person_id = q)"
    " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[], $5::text[], $6::text[],"
    " $7::text[]) AS t(s, p, d, m, how, via, q) ON CONFLICT (sequence) DO NOTHING"
)
NOTICE_BULK_INSERT: Final = (
    "INSERT INTO notices (notice_id, person_id, kind, text, sequence)"
    " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])"
    " ON CONFLICT (notice_id) DO NOTHING"
)

# Statements an executor may run as one set-based statement over column arrays.
BULK: Final = {
    outbox.INSERT: OUTBOX_BULK_INSERT,
    register.CERTIFIED: REGISTER_CERTIFIED_BULK,
    register.LINKED: REGISTER_LINKED_BULK,
    writes.NOTICE_INSERT: NOTICE_BULK_INSERT,
}


class GroupWrite:
    """The writer's state for one transaction: connection, next sequence, audit head."""

    def __init__(self, conn: schema.Conn, next_sequence: int, chain: AuditChain) -> None:
        self.conn = conn
        self.next_sequence = next_sequence
        self.chain = chain
        # Audit links wait here and go in with one statement before COMMIT: a
        # round trip per link would cost more than everything else a change does.
        self.links: list[tuple[object, ...]] = []

    def take_sequence(self) -> int:
        """The next ledger sequence, now used."""
        sequence = self.next_sequence
        self.next_sequence += 1
        return sequence

    def mark(self) -> tuple[int, tuple[int, str], int]:
        """Where sequences, the chain and the pending links stand, for a savepoint rollback."""
        return self.next_sequence, self.chain.mark(), len(self.links)

    def restore(self, mark: tuple[int, tuple[int, str], int]) -> None:
        """Go back to a state returned by :meth:`mark`."""
        self.next_sequence, chain_mark, links = mark
        self.chain.restore(chain_mark)
        del self.links[links:]

    async def audit(self, at: str, action: str, subject: str, actor: str, digest: str) -> None:
        """Append one audit link (written by :meth:`flush_audit`, in this transaction)."""
        e = self.chain.next(at, action, subject, actor, digest)
        self.links.append(
            (e.seq, e.at, e.action, e.subject, e.actor, e.digest, e.prev_hash, e.hash)
        )

    async def flush_audit(self) -> None:
        """Insert every pending audit link with one statement."""
        if self.links:
            await self.conn.execute(AUDIT_BULK_INSERT, *map(list, zip(*self.links, strict=True)))
            self.links.clear()

    async def apply(self, sequence: int, message: NewMessage, effects: Effects) -> None:
        """Write every effect of the message stored at ``sequence`` (the once-signed
        records the ledger holds already left out: :func:`~certhub.hub.store.writes.unrecorded`)."""
        if keys := writes.once_keys(effects):
            found = schema.dollar(writes.RECORDED)
            held = {k for k in keys if await self.conn.fetchval(found, *k) is not None}
            effects = writes.unrecorded(effects, held)
        await self.run(writes.plan(sequence, message, effects, self.take_sequence))

    async def run(self, ops: Iterable[writes.Op]) -> int:
        """Run ``ops`` in order; how many audited statements changed rows.

        A refusal raises its :class:`~certhub.hub.store.base.Conflict`.
        """
        conn, audited, at = self.conn, 0, ""
        for op in ops:
            if isinstance(op, writes.Link):
                await self.audit(op.at, op.action, op.subject, op.actor, op.digest)
                continue
            if isinstance(op, writes.Check):
                if await conn.fetchval(schema.dollar(op.sql), *op.params) != op.expect:
                    raise op.refused
                continue
            try:
                changed = await self._run(op)
            except asyncpg.UniqueViolationError as exc:
                if op.unique is None:
                    raise
                raise op.unique from exc
            if isinstance(op, writes.RunMany):
                continue
            if op.refused is not None and changed != op.expect:
                raise op.refused
            if changed and op.audit is not None:
                at = at or writes.now()
                await self.audit(at, *op.audit, "-")
                audited += 1
            if op.required and not changed:
                break
        return audited

    async def run_statements(self, statements: Mapping[str, Sequence[tuple[object, ...]]]) -> None:
        """Run each statement for all its rows, in order: its :data:`BULK` form over column
        arrays where there is one (one round trip), else ``executemany`` (pipelined)."""
        for sql, rows in statements.items():
            if (bulk := BULK.get(sql)) is not None:
                await self.conn.execute(bulk, *map(list, zip(*rows, strict=True)))
            else:
                await self.conn.executemany(schema.dollar(sql), rows)

    async def _run(self, op: writes.Run | writes.RunMany) -> int:
        """Execute one statement (or its bulk form); the rows it changed."""
        if isinstance(op, writes.Run):
            status = await self.conn.execute(schema.dollar(op.sql), *op.params)
            return int(status.rsplit(" ", 1)[-1])
        if (staged := roster_import.STAGED.get(op.sql)) is not None:
            await self._staged(staged, op.rows)
        elif (bulk := BULK.get(op.sql)) is not None:
            await self.conn.execute(bulk, *map(list, zip(*op.rows, strict=True)))
        else:
            await self.conn.executemany(schema.dollar(op.sql), op.rows)
        return len(op.rows)

    async def _staged(
        self, staged: roster_import.StagedCopy, rows: Sequence[tuple[object, ...]]
    ) -> None:
        """``COPY`` ``rows`` into a temporary table, insert from it, drop it (a roster import:
        binary ``COPY`` costs the server less than unpacking a column array per value)."""
        conn = self.conn
        await conn.execute(staged.create())
        await conn.copy_records_to_table(
            staged.stage,
            records=map(itemgetter(*staged.take), rows),
            columns=[name for name, _ in staged.columns],
        )
        await conn.execute(staged.insert)
        await conn.execute(f"DROP TABLE {staged.stage}")
