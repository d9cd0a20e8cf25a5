"""The SQL of :class:`~certhub.hub.store.comparison_jobs.PartitionLedger`, on both dialects.

Mixed into both ledgers (through :class:`~certhub.hub.store.queries.LedgerReads`);
each change is one audited statement run by the ledger's own ``apply_writes``
in its next group commit, each read one query through its ``_read``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from typing_extensions import override

from certhub.hub.store.comparison_jobs import (
    ERROR_MAX,
    HUB_ACTOR,
    PartitionHold,
    PartitionLedger,
    PartitionRow,
    PartitionState,
    partition_row,
)
from certhub.hub.store.sql_transport import SqlReads, SqlWrites
from certhub.hub.store.writes import Run

__all__ = ["ComparisonPartitions"]

_PLAN: Final = (
    "INSERT INTO comparison_partitions (run_id, city, period, state, attempts, updated_at)"
    " VALUES (?, ?, ?, 'queued', 0, ?) ON CONFLICT (run_id, city) DO UPDATE"
    " SET state = 'queued', attempts = 0, error = NULL, holder = NULL,"
    " updated_at = excluded.updated_at"
)
# Claimable: waiting, or running under a holder that stopped touching it before ``stale``.
_CLAIM: Final = (
    "UPDATE comparison_partitions SET state = 'running', attempts = attempts + 1,"
    " holder = ?, updated_at = ? WHERE run_id = ? AND city = ?"
    " AND (state IN ('queued', 'retrying') OR (state = 'running' AND updated_at < ?))"
)
_MINE: Final = " WHERE run_id = ? AND city = ? AND state = 'running' AND holder = ?"
_TOUCH: Final = "UPDATE comparison_partitions SET updated_at = ?" + _MINE
# A done partition keeps the error of an earlier attempt: operators see what was retried.
_DONE: Final = "UPDATE comparison_partitions SET state = 'done', updated_at = ?" + _MINE
_FAILED: Final = (
    "UPDATE comparison_partitions"
    " SET state = CASE WHEN attempts >= ? THEN 'failed' ELSE 'retrying' END,"
    " error = ?, updated_at = ?" + _MINE
)
_SELECT: Final = (
    "SELECT run_id, city, period, state, attempts, error, updated_at"
    " FROM comparison_partitions WHERE run_id = ?"
)


class ComparisonPartitions(PartitionLedger, SqlReads, SqlWrites):
    """:class:`PartitionLedger` over the ledger's ``apply_writes`` and ``_read`` (both dialects)."""

    @override
    async def plan_partitions(
        self, run_id: str, period: str, cities: Sequence[str], *, now: float
    ) -> None:
        await self.apply_writes([
            Run(_PLAN, (run_id, city, period, now),
                audit=("comparison_partition_queued", f"{run_id}/{city}", HUB_ACTOR))
            for city in cities
        ])  # fmt: skip

    @override
    async def claim_partition(self, hold: PartitionHold, *, now: float, lease: float) -> int | None:
        claim = Run(
            _CLAIM,
            (hold.holder, now, hold.run_id, hold.city, now - lease),
            audit=("comparison_partition_claimed", hold.subject, HUB_ACTOR),
        )
        if not await self.apply_writes([claim]):
            return None
        rows = await self._read(_SELECT + " AND city = ?", (hold.run_id, hold.city))
        return int(str(rows[0][4])) if rows else None

    @override
    async def touch_partition(self, hold: PartitionHold, *, now: float) -> None:
        # not audited: a heartbeat changes no outcome
        await self.apply_writes([Run(_TOUCH, (now, hold.run_id, hold.city, hold.holder))])

    @override
    async def settle_partition(
        self, hold: PartitionHold, *, error: str | None, max_attempts: int, now: float
    ) -> PartitionState | None:
        mine = (hold.run_id, hold.city, hold.holder)
        if error is None:
            step = Run(_DONE, (now, *mine),
                       audit=("comparison_partition_done", hold.subject, HUB_ACTOR))  # fmt: skip
        else:
            params = (max_attempts, error[:ERROR_MAX], now, *mine)
            audit = ("comparison_partition_failed", hold.subject, HUB_ACTOR)
            step = Run(_FAILED, params, audit=audit)
        if not await self.apply_writes([step]):
            return None
        rows = await self._read(_SELECT + " AND city = ?", (hold.run_id, hold.city))
        return partition_row(rows[0]).state if rows else None

    @override
    async def partitions(self, run_id: str) -> list[PartitionRow]:
        return [partition_row(r) for r in await self._read(_SELECT + " ORDER BY city", (run_id,))]
