"""The outbox side of the SQLite ledger: claims and audited state changes in the writer's batch.

Mixed into :class:`~certhub.hub.store.sqlite.SqliteLedger`. Writes join the group
commit like any other small write, so a delivery's state change shares an
fsync with the messages committed beside it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from certhub.hub.store import outbox, outbox_changes, writes
from certhub.hub.store.outbox import OutboxRow
from certhub.hub.store.sqlite.executor import EffectWriter

Apply = Callable[[sqlite3.Connection, EffectWriter], object]


class SqliteOutbox(outbox.OutboxReads, outbox_changes.OutboxTransitions):
    """Outbox queries and changes; the ledger class provides ``_write`` and ``_read``."""

    async def _write(self, apply: Apply) -> Any:
        raise NotImplementedError  # provided by SqliteLedger

    async def claim_outbox(self, limit: int, now: float, lease: float) -> list[OutboxRow]:
        """Due rows, leased until ``now + lease`` so no other claim takes them meanwhile."""

        def claim(conn: sqlite3.Connection, _: EffectWriter) -> list[OutboxRow]:
            rows = conn.execute(outbox.CLAIM.format(lock=""), (now + lease, now, limit))
            return sorted(map(outbox.to_row, rows.fetchall()), key=outbox.by_age)

        rows: list[OutboxRow] = await self._write(claim)
        return rows

    async def _run_ops(self, ops: Sequence[writes.Op]) -> int:
        """Run ``ops`` in the next group commit (the writer's executor)."""

        def run(conn: sqlite3.Connection, executor: EffectWriter) -> int:
            return executor.run(ops)

        done: int = await self._write(run)
        return done

    async def mark_published(self, leases: Mapping[str, float], redeliver_at: float) -> int:
        """Mark confirmed rows published (statements are in-process calls here: no batching)."""
        return await self.outbox_apply(
            outbox_changes.published(leases, redeliver_at, claimed_until=leases)
        )

    async def mark_delivered(self, delivery_id: str, destination: str, at: datetime) -> int:
        """Record a delivery (the audited steps of ``outbox_changes.delivered``)."""
        steps = outbox_changes.delivered(delivery_id, destination, at.timestamp(), at.isoformat())
        return await self.outbox_apply(steps)
