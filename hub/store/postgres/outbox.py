"""The outbox side of the PostgreSQL ledger.

Claims run on the pool, outside the writer lock, with ``FOR UPDATE SKIP
LOCKED``: competing relays on several hosts each take different rows and
never wait for the ledger's writers. Audited state changes join the group
commit (they extend the audit chain, which has one writer at a time); the
consumers' delivery records and delivered-id checks go in batches
(:mod:`certhub.hub.store.postgres.deliveries`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import asyncpg

from certhub.hub.store import outbox, outbox_changes, writes
from certhub.hub.store.base import StoreUnavailable
from certhub.hub.store.outbox import OutboxRow
from certhub.hub.store.postgres import schema
from certhub.hub.store.postgres.deliveries import DeliveredLookup, DeliveryRecorder
from certhub.hub.store.postgres.executor import GroupWrite

_CLAIM: Final = schema.dollar(outbox.CLAIM.format(lock=" FOR UPDATE SKIP LOCKED"))
_MARK_PUBLISHED: Final = (
    "UPDATE outbox AS o SET state='published', next_attempt_at=$3"
    " FROM unnest($1::text[], $2::float8[]) AS t(delivery_id, claimed)"
    " WHERE o.delivery_id=t.delivery_id AND o.next_attempt_at=t.claimed AND o.state='pending'"
    " RETURNING o.delivery_id"
)


class PostgresOutbox(outbox.OutboxReads, outbox_changes.OutboxTransitions):
    """Outbox queries and changes; the ledger class provides ``_pool``, ``_write``, ``_read``."""

    _pool: asyncpg.Pool
    # Made on first use (the ledger's constructor belongs to the append path), one per ledger.
    _recorder: DeliveryRecorder | None = None
    _lookup: DeliveredLookup | None = None

    async def _write(self, apply: Callable[[GroupWrite], Awaitable[object]]) -> Any:
        raise NotImplementedError  # provided by PostgresLedger

    async def claim_outbox(self, limit: int, now: float, lease: float) -> list[OutboxRow]:
        """Due rows, leased until ``now + lease``; rows another relay holds are skipped."""
        try:
            rows = await self._pool.fetch(_CLAIM, now + lease, now, limit)
        except (asyncpg.PostgresError, *schema.CONNECTION_ERRORS) as exc:
            raise StoreUnavailable(f"cannot claim outbox rows: {exc}") from exc
        return sorted((outbox.to_row(tuple(row)) for row in rows), key=outbox.by_age)

    async def _run_ops(self, ops: Sequence[writes.Op]) -> int:
        """Run ``ops`` in the next group commit (its executor)."""

        async def run(group: GroupWrite) -> int:
            return await group.run(ops)

        done: int = await self._write(run)
        return done

    async def mark_published(self, leases: Mapping[str, float], redeliver_at: float) -> int:
        """Mark confirmed rows published with one set-based statement, not one per row."""
        ids = sorted(leases)

        async def apply(group: GroupWrite) -> int:
            rows = await group.conn.fetch(
                _MARK_PUBLISHED, ids, [leases[i] for i in ids], redeliver_at
            )
            at = datetime.now(UTC).isoformat()
            for (delivery_id,) in sorted(tuple(row) for row in rows):
                await group.audit(at, "outbox_published", delivery_id, outbox_changes.HUB, "-")
            return len(rows)

        marked: int = await self._write(apply)
        return marked

    async def mark_delivered(self, delivery_id: str, destination: str, at: datetime) -> int:
        """Record a delivery together with every other one reported for the same group write."""
        if self._recorder is None:
            self._recorder = DeliveryRecorder(self._write)
        return await self._recorder.record(delivery_id, destination, at)

    async def is_delivered(self, delivery_id: str) -> bool:
        """Whether the delivery is recorded; concurrent checks share one query."""
        if self._lookup is None:
            self._lookup = DeliveredLookup(self._pool)
        return await self._lookup(delivery_id)
