"""Apply :class:`~hub.store.effects.Effects` inside one PostgreSQL group-commit transaction.

A :class:`GroupWrite` lives for one transaction only: it starts from the next
sequence and audit head read under the writer lock, and hands out sequences
and audit links from there. Statements match :mod:`hub.store.sqlite_effects`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import asyncpg

from hub.store import ledger_rows, money, outbox
from hub.store import postgres_schema as schema
from hub.store.audit_chain import AuditChain
from hub.store.base import Conflict, NewMessage
from hub.store.effects import (
    Effects,
    HubRecord,
    ItemUpdate,
    MonthsClaim,
    OverpaymentWrite,
    TaskWrite,
    ZeroReportGuard,
)

AUDIT_BULK_INSERT: Final = (
    "INSERT INTO audit (seq, at, action, subject, actor, digest, prev_hash, hash)"
    " SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],"
    " $6::text[], $7::text[], $8::text[])"
)
_ROSTER_UPSERT: Final = (
    "INSERT INTO roster (person_id, as_of, snapshot, sequence) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (person_id) DO UPDATE SET as_of = excluded.as_of,"
    " snapshot = excluded.snapshot, sequence = excluded.sequence"
    " WHERE excluded.as_of >= roster.as_of"
)
_NOTICE_INSERT: Final = (
    "INSERT INTO notices (notice_id, person_id, kind, text, sequence)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (notice_id) DO NOTHING"
)
# All the deliveries a message queues in one statement (a record may queue hundreds: a
# round trip each, under the writer lock, held up every other writer). Same columns and
# conflict rule as ``outbox.INSERT``; an id twice keeps its first row, as one by one.
_OUTBOX_INSERT: Final = (
    "INSERT INTO outbox (delivery_id, destination, operation, payload, correlation_id,"
    " created_at, attempts, next_attempt_at, state, sequence)"
    " SELECT delivery_id, destination, operation, payload, correlation_id, created_at, 0,"
    " next_attempt_at, 'pending', sequence FROM unnest($1::text[], $2::text[], $3::text[],"
    " $4::bytea[], $5::text[], $6::float8[], $7::float8[], $8::bigint[])"
    " AS t(delivery_id, destination, operation, payload, correlation_id, created_at,"
    " next_attempt_at, sequence) ON CONFLICT (delivery_id) DO NOTHING"
)
_OVERPAYMENT_INSERT: Final = (
    "INSERT INTO overpayments (task_id, person_id, county, period, months, amount_cents,"
    " sequence) VALUES ($1, $2, $3, $4, $5, $6, $7)"
)
_TASK_INSERT: Final = (
    "INSERT INTO tasks (task_id, person_id, kind, status, county, village, snapshot, version,"
    " changed_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)"
)
_TASK_UPDATE: Final = (
    "UPDATE tasks SET status = $1, snapshot = $2, version = version + 1, changed_seq = $3"
    " WHERE task_id = $4 AND version = $5"
)
_ITEM_UPDATE: Final = (
    "UPDATE items SET status = $1, accepted_by = $2, decided_by = $3, version = version + 1"
    " WHERE item_id = $4 AND version = $5"
)


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
        """Write every effect of the message stored at ``sequence``."""
        conn = self.conn
        if effects.zero_report_guard is not None:
            await self._guard_zero_report(effects.zero_report_guard)
        if effects.item is not None:
            await conn.execute(
                "INSERT INTO items (item_id, kind, status, municipal)"
                " VALUES ($1, $2, 'received', $3)",
                sequence,
                effects.item.kind,
                effects.item.municipal,
            )
        if effects.item_update is not None:
            await self._update_item(effects.item_update)
        for task in effects.tasks:
            await self._write_task(task, sequence)
        if effects.roster is not None:
            roster = effects.roster
            await conn.execute(
                _ROSTER_UPSERT, roster.person_id, roster.as_of, roster.snapshot, sequence
            )
        for record in effects.outcomes:
            await self._append_outcome(record, message)
        for n in effects.notices:
            await conn.execute(_NOTICE_INSERT, n.notice_id, n.person_id, n.kind, n.text, sequence)
        await self._queue_deliveries(sequence, message, effects)
        for over in effects.overpayments:
            await self._overpayment(over, sequence)
        await self._money(sequence, effects)
        at = message.received_at.isoformat()
        for entry in effects.audit:
            await self.audit(at, entry.action, entry.subject, entry.actor, entry.digest)

    async def _money(self, sequence: int, effects: Effects) -> None:
        """Months, closures and evidence bindings: each refused by its key when counted twice."""
        conn = self.conn
        for source in effects.release_months:
            await conn.execute(schema.dollar(money.RELEASE_MONTHS), source)
        for claim in effects.months:
            await self._claim(claim, sequence)
        if (c := effects.closure) is not None:
            try:
                await conn.execute(
                    schema.dollar(money.CLOSE_BENEFIT), c.person_id, c.reason, c.task_id, sequence
                )
            except asyncpg.UniqueViolationError as exc:
                raise money.already_closed(c) from exc
        for b in effects.evidence_bindings:
            await conn.execute(schema.dollar(money.BIND_EVIDENCE), b.sha256, b.person_id, sequence)
            if await conn.fetchval(schema.dollar(money.BOUND_PERSON), b.sha256) != b.person_id:
                raise money.other_person(b)

    async def _claim(self, claim: MonthsClaim, sequence: int) -> None:
        source = claim.source or str(sequence)
        rows = [(claim.person_id, claim.purpose, m, source, sequence) for m in claim.months]
        try:
            await self.conn.executemany(schema.dollar(money.CLAIM_MONTH), rows)
        except asyncpg.UniqueViolationError as exc:
            raise money.months_taken(claim) from exc

    async def _queue_deliveries(self, sequence: int, message: NewMessage, effects: Effects) -> None:
        """Insert the message's outbox rows (its notices' SMS included) with one statement."""
        created = message.received_at.timestamp()
        writes = (*map(outbox.notice_delivery, effects.notices), *effects.outbox)
        if writes:
            rows = [outbox.insert_params(write, sequence, created) for write in writes]
            await self.conn.execute(_OUTBOX_INSERT, *map(list, zip(*rows, strict=True)))

    async def _guard_zero_report(self, guard: ZeroReportGuard) -> None:
        column = "village" if len(guard.unit) == 12 else "county"
        sql = (
            "SELECT 1 FROM ledger WHERE message_type = 'eligibility_report/v1' AND period = $1"
            f" AND {column} = $2 LIMIT 1"
        )
        if await self.conn.fetchval(sql, guard.period, guard.unit) is not None:
            raise Conflict(
                "zero-report-conflict",
                f"this region already sent eligibility reports for {guard.period}",
            )

    async def _update_item(self, u: ItemUpdate) -> None:
        status = await self.conn.execute(
            _ITEM_UPDATE, u.status, u.accepted_by, u.decided_by, u.item_id, u.expected_version
        )
        if status != "UPDATE 1":
            raise Conflict("conflict", f"item {u.item_id} changed meanwhile; retry")

    async def _write_task(self, t: TaskWrite, sequence: int) -> None:
        if t.expected_version is None:
            try:
                await self.conn.execute(
                    _TASK_INSERT,
                    t.task_id,
                    t.person_id,
                    t.kind,
                    t.status,
                    t.county,
                    t.village,
                    t.snapshot,
                    sequence,
                )
            except asyncpg.UniqueViolationError as exc:
                raise Conflict(
                    "conflict", "a task for this person and kind opened meanwhile"
                ) from exc
            return
        status = await self.conn.execute(
            _TASK_UPDATE, t.status, t.snapshot, sequence, t.task_id, t.expected_version
        )
        if status != "UPDATE 1":
            raise Conflict("conflict", f"task {t.task_id} changed meanwhile; retry")

    async def _overpayment(self, over: OverpaymentWrite, sequence: int) -> None:
        cents = int(Decimal(over.amount) * 100)
        await self.conn.execute(
            _OVERPAYMENT_INSERT,
            over.task_id,
            over.person_id,
            over.county,
            over.period,
            over.months,
            cents,
            sequence,
        )

    async def _append_outcome(self, record: HubRecord, cause: NewMessage) -> None:
        sequence = self.take_sequence()
        outcome = record.as_message(cause.received_at)
        await self.conn.execute(schema.INSERT, *ledger_rows.insert_params(sequence, outcome, ""))
        await self.audit(
            outcome.received_at.isoformat(),
            "outcome_recorded",
            str(sequence),
            record.sender,
            record.sha256,
        )
