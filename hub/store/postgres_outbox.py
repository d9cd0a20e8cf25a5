"""The outbox side of the PostgreSQL ledger.

Claims run on the pool, outside the writer lock, with ``FOR UPDATE SKIP
LOCKED``: competing relays on several hosts each take different rows and
never wait for the ledger's writers. Audited state changes join the group
commit (they extend the audit chain, which has one writer at a time).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import asyncpg

from hub.store import outbox, outbox_changes
from hub.store import postgres_schema as schema
from hub.store.base import StoreUnavailable
from hub.store.outbox import OutboxRow, Step
from hub.store.postgres_effects import GroupWrite

_CLAIM: Final = schema.dollar(outbox.CLAIM.format(lock=" FOR UPDATE SKIP LOCKED"))
# Only a delivery id recorded for the first time closes its outbox row and notice.
_MARK_DELIVERED: Final = (
    "WITH d AS (INSERT INTO deliveries (delivery_id, destination, delivered_at)"
    " VALUES ($1, $2, $3) ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id),"
    " o AS (UPDATE outbox SET state='delivered' WHERE delivery_id IN (SELECT delivery_id FROM d)),"
    " n AS (UPDATE notices SET sent_at=$4 WHERE sent_at IS NULL"
    " AND notice_id IN (SELECT delivery_id FROM d))"
    " SELECT count(*) FROM d"
)
_MARK_PUBLISHED: Final = (
    "UPDATE outbox AS o SET state='published', next_attempt_at=$3"
    " FROM unnest($1::text[], $2::float8[]) AS t(delivery_id, claimed)"
    " WHERE o.delivery_id=t.delivery_id AND o.next_attempt_at=t.claimed AND o.state='pending'"
    " RETURNING o.delivery_id"
)


class PostgresOutbox(outbox.OutboxReads):
    """Outbox queries and changes; the ledger class provides ``_pool``, ``_write``, ``_read``."""

    _pool: asyncpg.Pool

    async def _write(self, apply: Callable[[GroupWrite], Awaitable[object]]) -> Any:
        raise NotImplementedError  # provided by PostgresLedger

    async def _read(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        raise NotImplementedError  # provided by PostgresQueries

    async def claim_outbox(self, limit: int, now: float, lease: float) -> list[OutboxRow]:
        """Due rows, leased until ``now + lease``; rows another relay holds are skipped."""
        try:
            rows = await self._pool.fetch(_CLAIM, now + lease, now, limit)
        except (asyncpg.PostgresError, *schema.CONNECTION_ERRORS) as exc:
            raise StoreUnavailable(f"cannot claim outbox rows: {exc}") from exc
        return sorted((outbox.to_row(tuple(row)) for row in rows), key=outbox.by_age)

    async def outbox_apply(self, steps: Sequence[Step]) -> int:
        """Run the steps of one state change in the next group commit."""

        async def apply(group: GroupWrite) -> int:
            done = 0
            at = datetime.now(UTC).isoformat()
            for step in steps:
                status = await group.conn.execute(schema.dollar(step.sql), *step.params)
                changed = int(status.rsplit(" ", 1)[-1])
                if changed and step.audit is not None:
                    await group.audit(at, *step.audit, "-")
                    done += 1
                if step.required and not changed:
                    break
            return done

        done: int = await self._write(apply)
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
        """Record a delivery with one statement (the three steps as data-modifying CTEs)."""

        async def apply(group: GroupWrite) -> int:
            new = await group.conn.fetchval(
                _MARK_DELIVERED, delivery_id, destination, at.timestamp(), at.isoformat()
            )
            if new:
                # an SMS keeps the audit vocabulary it had before the general outbox
                action = "notice_sent" if destination == "sms" else "delivered"
                await group.audit(
                    datetime.now(UTC).isoformat(), action, delivery_id, outbox_changes.HUB, "-"
                )
            return int(new)

        recorded: int = await self._write(apply)
        return recorded
