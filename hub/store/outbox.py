"""The transactional outbox and the record of delivered ids, common to both backends.

An outbox row is written in the same transaction as the ledger record that
causes it (:class:`~certhub.hub.store.effects.OutboxWrite`). Its life::

    pending ──claim (lease)──▶ published ──delivered──▶ delivered
       ▲  ▲                       │  │
       │  └──── retry (backoff) ──┘  └── permanent / max attempts ──▶ dead
       └──────────────── dlq replay ────────────────────────────────┘

A claim only moves ``next_attempt_at`` forward (a lease): a relay that dies
before publishing leaves the row to be claimed again when the lease ends.
Every state change is one audited statement; the statements live in
:mod:`certhub.hub.store.outbox_changes`, as statement lists behind named
transitions, and each backend only executes them, so the two cannot drift
apart and no caller writes SQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, Protocol

from certhub.hub.store.effects import NoticeWrite, OutboxWrite
from certhub.hub.store.sql_transport import SqlReads


class OutboxState(StrEnum):
    """Where a delivery stands."""

    PENDING = "pending"
    PUBLISHED = "published"
    DELIVERED = "delivered"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One delivery as stored; times are Unix seconds."""

    delivery_id: str
    destination: str
    operation: str
    payload: bytes
    correlation_id: str | None
    created_at: float
    attempts: int
    next_attempt_at: float
    state: OutboxState
    last_error: str | None


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """Counts for metrics and back-pressure."""

    pending: int = 0
    published: int = 0
    dead: int = 0
    oldest_undelivered_at: float | None = None

    @property
    def backlog(self) -> int:
        """Deliveries committed but not delivered yet (and not dead)."""
        return self.pending + self.published


@dataclass(frozen=True, slots=True)
class DeadLetterFilter:
    """Which dead letters an operator means: by adapter, age and error class."""

    destination: str | None = None
    created_before: float | None = None
    error: str | None = None
    delivery_ids: tuple[str, ...] = ()


COLUMNS: Final = (
    "delivery_id, destination, operation, payload, correlation_id, created_at, attempts,"
    " next_attempt_at, state, last_error"
)
INSERT: Final = (
    "INSERT INTO outbox (delivery_id, destination, operation, payload, correlation_id,"
    " created_at, attempts, next_attempt_at, state, sequence)"
    " VALUES (?,?,?,?,?,?,0,?,'pending',?) ON CONFLICT (delivery_id) DO NOTHING"
)
CLAIM: Final = (
    "UPDATE outbox SET next_attempt_at=? WHERE delivery_id IN (SELECT delivery_id FROM outbox"
    " WHERE state IN ('pending','published') AND next_attempt_at<=?"
    " ORDER BY next_attempt_at LIMIT ?{lock}) RETURNING " + COLUMNS
)
STATS: Final = (
    "SELECT state, count(*), min(created_at) FROM outbox"
    " WHERE state IN ('pending','published','dead') GROUP BY state"
)
GET: Final = f"SELECT {COLUMNS} FROM outbox WHERE delivery_id=?"
DELIVERED: Final = "SELECT 1 FROM deliveries WHERE delivery_id=?"
DELIVERED_AS: Final = "SELECT destination FROM deliveries WHERE delivery_id=?"


class OutboxRelaying(Protocol):
    """What the relay does: claim due rows with a lease, mark them published, release them."""

    async def claim_outbox(self, limit: int, now: float, lease: float) -> list[OutboxRow]:
        """Due rows (pending, or published and overdue), leased until ``now + lease``."""
        ...

    async def mark_published(self, leases: Mapping[str, float], redeliver_at: float) -> int:
        """The broker confirmed these rows (delivery id → the lease it was claimed with).

        Each becomes ``published`` with ``redeliver_at`` — only if still under that
        very claim (a consumer may already have scheduled a retry). Returns how many.
        """
        ...

    async def release_leases(self, leases: Mapping[str, float], now: float) -> None:
        """The broker did not take these (delivery id → the lease it was claimed with): they
        may be claimed again from ``now`` — only if still under that very claim."""
        ...


class DeliveryRecords(Protocol):
    """What a consumer records: delivered once, or retried later, or dead-lettered."""

    async def is_delivered(self, delivery_id: str) -> bool:
        """Whether the dispatcher recorded this delivery as done."""
        ...

    async def delivered_as(self, delivery_id: str) -> str | None:
        """The destination the delivery was recorded under (``withdrawn``: a notice withdrawn
        at send, nothing sent); None while not delivered."""
        ...

    async def mark_delivered(self, delivery_id: str, destination: str, at: datetime) -> int:
        """The department call succeeded: record the id once, close the row and its notice.

        Returns 1 when this call recorded it, 0 when it was recorded already.
        """
        ...

    async def retry_delivery(
        self, delivery_id: str, attempts: int, next_attempt_at: float, error: str
    ) -> int:
        """A transient failure: publish again after ``next_attempt_at``; 1 if the row changed."""
        ...

    async def dead_letter(self, delivery_id: str, attempts: int, error: str) -> int:
        """A permanent failure or the last attempt: park it for an operator; 1 if it changed."""
        ...


class DeadLetters(Protocol):
    """What operators see and do: counts, one row, dead letters replayed or purged."""

    async def outbox_stats(self) -> OutboxStats:
        """Counts by state and the oldest undelivered row's creation time."""
        ...

    async def get_outbox(self, delivery_id: str) -> OutboxRow | None:
        """One delivery by id."""
        ...

    async def dead_letters(self, where: DeadLetterFilter, limit: int) -> list[OutboxRow]:
        """Dead deliveries matching ``where``, oldest first."""
        ...

    async def replay_dead_letters(self, delivery_ids: Iterable[str], actor: str, now: float) -> int:
        """Send dead letters through the normal path again; how many were dead."""
        ...

    async def purge_dead_letters(self, delivery_ids: Iterable[str], actor: str) -> int:
        """Drop dead letters for good (the audit chain keeps that it happened); how many."""
        ...


class Notices(Protocol):
    """SMS notices not sent yet, and their sending recorded."""

    async def pending_notices(self, limit: int) -> list[tuple[str, str, str, str]]:
        """Notices not sent yet: (notice id, person id, kind, text), oldest first."""
        ...

    async def mark_notice_sent(self, notice_id: str) -> None:
        """Record that the SMS gateway accepted a notice."""
        ...


class OutboxStore(OutboxRelaying, DeliveryRecords, DeadLetters, Notices, Protocol):
    """The outbox side of the ledger store, every role; callers name transitions, never SQL."""


def insert_params(write: OutboxWrite, sequence: int, created_at: float) -> tuple[object, ...]:
    """Parameters of :data:`INSERT` for one outbox write caused by record ``sequence``."""
    correlation = write.correlation_id or str(sequence)
    return (
        write.delivery_id,
        write.destination,
        write.operation,
        write.payload,
        correlation,
        created_at,
        created_at,
        sequence,
    )


def notice_delivery(notice: NoticeWrite) -> OutboxWrite:
    """The SMS delivery of a notice: the notice id is the delivery id (the gateway's key).

    Its payload is ``json.dumps(body, ensure_ascii=False, sort_keys=True)`` of
    ``{"person_id", "kind", "text"}`` (strings), written out directly: a 免办 run
    queues one per certification, and the encoder's set-up cost more than the text.
    """
    q = _quote
    kind, person = q(notice.kind), q(notice.person_id)
    text = f'{{"kind": {kind}, "person_id": {person}, "text": {q(notice.text)}}}'
    return OutboxWrite(notice.notice_id, "sms", "notify", text.encode())


_quote: Final = json.encoder.encode_basestring  # a str as json.dumps(ensure_ascii=False) has it


def to_row(row: Sequence[object]) -> OutboxRow:
    """Map a row selected with :data:`COLUMNS`."""
    did, dest, op, payload, corr, created, attempts, next_at, state, error = row
    return OutboxRow(
        delivery_id=str(did),
        destination=str(dest),
        operation=str(op),
        payload=bytes(payload),  # type: ignore[call-overload]
        correlation_id=None if corr is None else str(corr),
        created_at=float(created),  # type: ignore[arg-type]
        attempts=int(attempts),  # type: ignore[call-overload]
        next_attempt_at=float(next_at),  # type: ignore[arg-type]
        state=OutboxState(str(state)),
        last_error=None if error is None else str(error),
    )


def stats_of(rows: Sequence[Sequence[object]]) -> OutboxStats:
    """Fold :data:`STATS` rows."""
    counts = {str(state): int(n) for state, n, _ in rows}  # type: ignore[call-overload]
    oldest = [float(at) for state, _, at in rows if state != "dead" and at is not None]  # type: ignore[arg-type]
    return OutboxStats(
        pending=counts.get("pending", 0),
        published=counts.get("published", 0),
        dead=counts.get("dead", 0),
        oldest_undelivered_at=min(oldest) if oldest else None,
    )


def dead_letter_query(where: DeadLetterFilter, limit: int) -> tuple[str, tuple[object, ...]]:
    """SQL and parameters selecting dead letters; only constant fragments are joined."""
    clauses = ["state='dead'"]
    params: list[object] = []
    if where.destination is not None:
        clauses.append("destination=?")
        params.append(where.destination)
    if where.created_before is not None:
        clauses.append("created_at<?")
        params.append(where.created_before)
    if where.error is not None:
        clauses.append("last_error=?")
        params.append(where.error)
    if where.delivery_ids:
        clauses.append("delivery_id IN (" + ",".join("?" * len(where.delivery_ids)) + ")")
        params.extend(where.delivery_ids)
    sql = f"SELECT {COLUMNS} FROM outbox WHERE " + " AND ".join(clauses)
    return sql + " ORDER BY created_at, delivery_id LIMIT ?", (*params, limit)


class OutboxReads(SqlReads):
    """The outbox's read side, the same SQL on every backend (``_read`` adapts placeholders)."""

    async def outbox_stats(self) -> OutboxStats:
        """Counts by state and the oldest undelivered row's creation time."""
        return stats_of(await self._read(STATS, ()))

    async def get_outbox(self, delivery_id: str) -> OutboxRow | None:
        """One delivery by id."""
        rows = await self._read(GET, (delivery_id,))
        return to_row(rows[0]) if rows else None

    async def dead_letters(self, where: DeadLetterFilter, limit: int) -> list[OutboxRow]:
        """Dead deliveries matching ``where``, oldest first."""
        sql, params = dead_letter_query(where, limit)
        return [to_row(row) for row in await self._read(sql, params)]

    async def is_delivered(self, delivery_id: str) -> bool:
        """Whether the dispatcher recorded this delivery as done."""
        return bool(await self._read(DELIVERED, (delivery_id,)))

    async def delivered_as(self, delivery_id: str) -> str | None:
        """The destination the delivery was recorded under; None while not delivered."""
        rows = await self._read(DELIVERED_AS, (delivery_id,))
        return str(rows[0][0]) if rows else None


def by_age(row: OutboxRow) -> tuple[float, str]:
    """Sort key: oldest first, ties by delivery id."""
    return row.created_at, row.delivery_id
