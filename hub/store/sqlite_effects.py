"""Apply :class:`~hub.store.effects.Effects` inside the ledger writer's open transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from decimal import Decimal

from hub.store import outbox
from hub.store.audit_chain import AuditChain
from hub.store.base import Conflict, NewMessage
from hub.store.effects import (
    BenefitClosure,
    Effects,
    EvidenceBinding,
    HubRecord,
    ItemUpdate,
    MonthsClaim,
    TaskWrite,
    ZeroReportGuard,
)
from hub.store.ledger_rows import INSERT, insert_params
from hub.store.money import (
    BIND_EVIDENCE,
    BOUND_PERSON,
    CLAIM_MONTH,
    CLOSE_BENEFIT,
    RELEASE_MONTHS,
    already_closed,
    months_taken,
    other_person,
)

AUDIT_INSERT = (
    "INSERT INTO audit (seq, at, action, subject, actor, digest, prev_hash, hash)"
    " VALUES (?,?,?,?,?,?,?,?)"
)


class EffectWriter:
    """Writes one message's effects; the caller wraps it in a savepoint."""

    def __init__(
        self, conn: sqlite3.Connection, chain: AuditChain, next_sequence: Callable[[], int]
    ) -> None:
        self._conn = conn
        self._chain = chain
        self._next_sequence = next_sequence

    def audit(self, at: str, action: str, subject: str, actor: str, digest: str) -> None:
        """Append one audit link."""
        entry = self._chain.next(at, action, subject, actor, digest)
        self._conn.execute(
            AUDIT_INSERT,
            (
                entry.seq,
                entry.at,
                entry.action,
                entry.subject,
                entry.actor,
                entry.digest,
                entry.prev_hash,
                entry.hash,
            ),
        )

    def apply(self, sequence: int, message: NewMessage, effects: Effects) -> None:
        """Write every effect of the message stored at ``sequence``."""
        at = message.received_at.isoformat()
        if effects.zero_report_guard is not None:
            self._guard_zero_report(effects.zero_report_guard)
        if effects.item is not None:
            self._conn.execute(
                "INSERT INTO items (item_id, kind, status, municipal) VALUES (?,?,'received',?)",
                (sequence, effects.item.kind, int(effects.item.municipal)),
            )
        if effects.item_update is not None:
            self._update_item(effects.item_update)
        for task in effects.tasks:
            self._write_task(task, sequence)
        if effects.roster is not None:
            roster = effects.roster
            self._conn.execute(
                "INSERT INTO roster (person_id, as_of, snapshot, sequence) VALUES (?,?,?,?)"
                " ON CONFLICT (person_id) DO UPDATE SET as_of=excluded.as_of,"
                " snapshot=excluded.snapshot, sequence=excluded.sequence"
                " WHERE excluded.as_of >= roster.as_of",
                (roster.person_id, roster.as_of, roster.snapshot, sequence),
            )
        for record in effects.outcomes:
            self._append_outcome(record, message)
        for notice in effects.notices:
            self._conn.execute(
                "INSERT INTO notices (notice_id, person_id, kind, text, sequence)"
                " VALUES (?,?,?,?,?) ON CONFLICT (notice_id) DO NOTHING",
                (notice.notice_id, notice.person_id, notice.kind, notice.text, sequence),
            )
        self._outbox(sequence, message, effects)
        for over in effects.overpayments:
            cents = int(Decimal(over.amount) * 100)
            self._conn.execute(
                "INSERT INTO overpayments (task_id, person_id, county, period, months,"
                " amount_cents, sequence) VALUES (?,?,?,?,?,?,?)",
                (
                    over.task_id,
                    over.person_id,
                    over.county,
                    over.period,
                    over.months,
                    cents,
                    sequence,
                ),
            )
        self._money(sequence, effects)
        for entry in effects.audit:
            self.audit(at, entry.action, entry.subject, entry.actor, entry.digest)

    def _money(self, sequence: int, effects: Effects) -> None:
        """Months, closures and evidence bindings: each refused by its key when counted twice."""
        for source in effects.release_months:
            self._conn.execute(RELEASE_MONTHS, (source,))
        for claim in effects.months:
            self._claim(claim, sequence)
        if effects.closure is not None:
            self._close(effects.closure, sequence)
        for binding in effects.evidence_bindings:
            self._bind(binding, sequence)

    def _claim(self, claim: MonthsClaim, sequence: int) -> None:
        source = claim.source or str(sequence)
        try:
            self._conn.executemany(
                CLAIM_MONTH,
                [(claim.person_id, claim.purpose, m, source, sequence) for m in claim.months],
            )
        except sqlite3.IntegrityError as exc:
            raise months_taken(claim) from exc

    def _close(self, closure: BenefitClosure, sequence: int) -> None:
        try:
            self._conn.execute(
                CLOSE_BENEFIT, (closure.person_id, closure.reason, closure.task_id, sequence)
            )
        except sqlite3.IntegrityError as exc:
            raise already_closed(closure) from exc

    def _bind(self, binding: EvidenceBinding, sequence: int) -> None:
        self._conn.execute(BIND_EVIDENCE, (binding.sha256, binding.person_id, sequence))
        (person,) = self._conn.execute(BOUND_PERSON, (binding.sha256,)).fetchone()
        if person != binding.person_id:
            raise other_person(binding)

    def _outbox(self, sequence: int, message: NewMessage, effects: Effects) -> None:
        """Queue the deliveries (notices included) in the same transaction."""
        created = message.received_at.timestamp()
        writes = [*map(outbox.notice_delivery, effects.notices), *effects.outbox]
        for write in writes:
            self._conn.execute(outbox.INSERT, outbox.insert_params(write, sequence, created))

    def _guard_zero_report(self, guard: ZeroReportGuard) -> None:
        column = "village" if len(guard.unit) == 12 else "county"
        sql = (
            "SELECT 1 FROM ledger WHERE message_type='eligibility_report/v1' AND period=?"
            f" AND {column}=? LIMIT 1"
        )
        row = self._conn.execute(sql, (guard.period, guard.unit)).fetchone()
        if row is not None:
            raise Conflict(
                "zero-report-conflict",
                f"this region already sent eligibility reports for {guard.period}",
            )

    def _update_item(self, update: ItemUpdate) -> None:
        changed = self._conn.execute(
            "UPDATE items SET status=?, accepted_by=?, decided_by=?, version=version+1"
            " WHERE item_id=? AND version=?",
            (
                update.status,
                update.accepted_by,
                update.decided_by,
                update.item_id,
                update.expected_version,
            ),
        ).rowcount
        if changed != 1:
            raise Conflict("conflict", f"item {update.item_id} changed meanwhile; retry")

    def _write_task(self, task: TaskWrite, sequence: int) -> None:
        if task.expected_version is None:
            try:
                self._conn.execute(
                    "INSERT INTO tasks (task_id, person_id, kind, status, county, village,"
                    " snapshot, version, changed_seq) VALUES (?,?,?,?,?,?,?,0,?)",
                    (
                        task.task_id,
                        task.person_id,
                        task.kind,
                        task.status,
                        task.county,
                        task.village,
                        task.snapshot,
                        sequence,
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise Conflict(
                    "conflict", "a task for this person and kind opened meanwhile"
                ) from exc
            return
        changed = self._conn.execute(
            "UPDATE tasks SET status=?, snapshot=?, version=version+1, changed_seq=?"
            " WHERE task_id=? AND version=?",
            (task.status, task.snapshot, sequence, task.task_id, task.expected_version),
        ).rowcount
        if changed != 1:
            raise Conflict("conflict", f"task {task.task_id} changed meanwhile; retry")

    def _append_outcome(self, record: HubRecord, cause: NewMessage) -> None:
        sequence = self._next_sequence()
        outcome = record.as_message(cause.received_at)
        self._conn.execute(INSERT, insert_params(sequence, outcome, ""))
        self.audit(
            outcome.received_at.isoformat(),
            "outcome_recorded",
            str(sequence),
            record.sender,
            record.sha256,
        )
