"""Delivered ids on PostgreSQL, set-based: the deliveries of one group write, one statement.

Every consumer records its own delivery, but on PostgreSQL each statement is
a round trip, and recording runs inside the group write, under the writer
lock the audit chain needs: a statement per delivery made that single writer
the delivery path's bottleneck (``bench/README.md``, "Delivery"). So
:class:`DeliveryRecorder` gathers the calls that arrive while a group write
is pending: the first queues one job, the later ones join it until it runs,
and it records them all with one ``unnest`` statement, their audit links in
call order. Each caller is answered once the commit holding its record is
durable, or with the error that kept it from committing (then nothing of the
batch is recorded, and the broker hands the message out again).

:class:`DeliveredLookup` gathers the delivered-id checks likewise: while one
query runs, later checks wait and then go together as one ``= ANY`` query.
A query only answers checks made before it started, so it sees every
delivery committed before the check: what a query of its own would see.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import asyncpg

from certhub.hub.store.audit_chain import AuditEntry
from certhub.hub.store.base import StoreUnavailable
from certhub.hub.store.group_commit import mark_retrieved
from certhub.hub.store.outbox_changes import HUB, delivered_action
from certhub.hub.store.postgres.executor import GroupWrite

# One statement per group write for every delivery reported meanwhile. Only an id recorded
# for the first time closes its outbox row and notice. The audit links are computed before,
# as if every id were new, and go in only if every id was new; otherwise the caller audits
# the ids the statement returned (a redelivery in the batch: rare).
RECORD_DELIVERIES: Final = (
    "WITH t AS (SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[])"
    " AS t(delivery_id, destination, delivered_at, sent_at)),"
    " d AS (INSERT INTO deliveries (delivery_id, destination, delivered_at)"
    " SELECT delivery_id, destination, delivered_at FROM t"
    " ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id),"
    " o AS (UPDATE outbox SET state='delivered' WHERE delivery_id IN (SELECT delivery_id FROM d)),"
    " n AS (UPDATE notices SET sent_at=t.sent_at FROM t WHERE notices.sent_at IS NULL"
    " AND notices.notice_id=t.delivery_id AND t.delivery_id IN (SELECT delivery_id FROM d)),"
    " a AS (INSERT INTO audit (seq, at, action, subject, actor, digest, prev_hash, hash)"
    " SELECT * FROM unnest($5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[],"
    " $10::text[], $11::text[], $12::text[])"
    " WHERE (SELECT count(*) FROM d) = cardinality($1::text[]))"
    " SELECT delivery_id FROM d"
)
SELECT_DELIVERED: Final = "SELECT delivery_id FROM deliveries WHERE delivery_id = ANY($1::text[])"

GroupApply = Callable[[GroupWrite], Awaitable[object]]
GroupWriter = Callable[[GroupApply], Awaitable[Any]]
"""Runs one job in the ledger's next group write and returns its result."""


@dataclass(slots=True)
class ReportedDelivery:
    """A delivery waiting to be recorded, and the future its caller waits on."""

    delivery_id: str
    destination: str
    at: datetime
    future: asyncio.Future[int]


def audit_action(destination: str) -> str:
    """The audit action of a recorded delivery (as the outbox transitions name it)."""
    return delivered_action(destination)


async def record_all(group: GroupWrite, batch: list[ReportedDelivery]) -> list[int]:
    """Record ``batch`` with one statement; per entry 1 if it recorded its id, else 0.

    An id twice in the batch counts for its first entry, as if called one by one. The
    audit chain gets one link per id recorded, in the order the deliveries were reported.
    """
    first: dict[str, ReportedDelivery] = {}
    for entry in batch:
        first.setdefault(entry.delivery_id, entry)
    fresh = list(first.values())
    at = datetime.now(UTC).isoformat()
    head = group.chain.mark()
    links = [
        group.chain.next(at, audit_action(d.destination), d.delivery_id, HUB, "-") for d in fresh
    ]
    rows = await group.conn.fetch(
        RECORD_DELIVERIES,
        [d.delivery_id for d in fresh],
        [d.destination for d in fresh],
        [d.at.timestamp() for d in fresh],
        [d.at.isoformat() for d in fresh],
        *_columns(links),
    )
    recorded = {str(row[0]) for row in rows}
    if len(recorded) < len(fresh):  # the links stayed out: chain the recorded ids only
        group.chain.restore(head)
        for d in fresh:
            if d.delivery_id in recorded:
                await group.audit(at, audit_action(d.destination), d.delivery_id, HUB, "-")
    return [int(first[e.delivery_id] is e and e.delivery_id in recorded) for e in batch]


def _columns(links: list[AuditEntry]) -> list[list[object]]:
    """The links as the eight column arrays of the audit insert."""
    return [
        [e.seq for e in links],
        [e.at for e in links],
        [e.action for e in links],
        [e.subject for e in links],
        [e.actor for e in links],
        [e.digest for e in links],
        [e.prev_hash for e in links],
        [e.hash for e in links],
    ]


class DeliveryRecorder:
    """Records the deliveries reported while a group write is pending, all in that write."""

    def __init__(self, write: GroupWriter) -> None:
        """Record through ``write`` (runs one job in the ledger's next group write)."""
        self._write = write
        # Invariant: not empty exactly while one flush is queued that has not taken it yet.
        self._waiting: list[ReportedDelivery] = []
        self._flushes: set[asyncio.Task[None]] = set()

    async def record(self, delivery_id: str, destination: str, at: datetime) -> int:
        """Record one delivery; 1 when this call recorded it, 0 when it was recorded already.

        A caller cancelled meanwhile only stops waiting: its delivery is recorded with
        the others all the same.

        Raises:
            StoreUnavailable: the group write failed; nothing of its batch was recorded.
        """
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        future.add_done_callback(mark_retrieved)  # a caller that went away must not warn
        self._waiting.append(ReportedDelivery(delivery_id, destination, at, future))
        if len(self._waiting) == 1:
            flush = asyncio.create_task(self._flush())
            self._flushes.add(flush)  # a task nobody references may be collected
            flush.add_done_callback(self._flushes.discard)
        return await future

    async def _flush(self) -> None:
        """Queue one group-write job; when it runs, it takes every delivery waiting then."""
        taken: list[ReportedDelivery] = []

        async def apply(group: GroupWrite) -> list[int]:
            taken.extend(self._waiting)
            self._waiting = []
            return await record_all(group, taken)

        try:
            counts: list[int] = await self._write(apply)
        except Exception as exc:  # a StoreError, or a bug: either way the callers must hear
            if not taken:  # the job never ran: what waits was this flush's to take
                taken.extend(self._waiting)
                self._waiting = []
            for entry in taken:
                if not entry.future.done():
                    entry.future.set_exception(_unavailable("delivery not recorded", exc))
            return
        for entry, count in zip(taken, counts, strict=True):
            if not entry.future.done():
                entry.future.set_result(count)


class DeliveredLookup:
    """Answers delivered-id checks in batches: one query for all checks made while one ran."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        """Look ids up on a connection of ``pool``."""
        self._pool = pool
        self._waiting: list[tuple[str, asyncio.Future[bool]]] = []
        self._running: asyncio.Task[None] | None = None

    async def __call__(self, delivery_id: str) -> bool:
        """Whether ``delivery_id`` was recorded as delivered (by the time of this call).

        Raises:
            StoreUnavailable: the ledger could not be read.
        """
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        future.add_done_callback(mark_retrieved)
        self._waiting.append((delivery_id, future))
        if self._running is None:
            self._running = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        """Answer checks until nobody waits."""
        try:
            while self._waiting:
                await self._rounds()
        finally:
            self._running = None

    async def _rounds(self) -> None:
        """Query on one connection while checks wait (each pool release costs a round trip).

        A failed query fails the checks it was for; a connection that cannot be had
        fails every check waiting; checks not yet tried go on a new connection.
        """
        batch: list[tuple[str, asyncio.Future[bool]]] = []
        try:
            async with self._pool.acquire() as conn:
                # a closing pool waits for this connection: give it back between rounds
                while self._waiting and not self._pool.is_closing():
                    batch, self._waiting = self._waiting, []
                    rows = await conn.fetch(SELECT_DELIVERED, sorted({i for i, _ in batch}))
                    found = {str(row[0]) for row in rows}
                    for delivery_id, future in batch:
                        if not future.done():
                            future.set_result(delivery_id in found)
        except Exception as exc:  # asyncpg's errors, a closed pool: the callers must hear
            if not batch:
                batch, self._waiting = self._waiting, []
            for _, future in batch:
                if not future.done():
                    future.set_exception(_unavailable("cannot read delivered ids", exc))


def _unavailable(what: str, cause: Exception) -> StoreUnavailable:
    """A fresh error per caller (one shared instance would collect everyone's traceback)."""
    error = StoreUnavailable(f"{what}: {cause}")
    error.__cause__ = cause
    return error
