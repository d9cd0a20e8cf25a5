"""The outbox side of the PostgreSQL ledger.

Claims run on the pool, outside the writer lock, with ``FOR UPDATE SKIP
LOCKED``: competing relays on several hosts each take different rows and
never wait for the ledger's writers. Audited state changes join the group
commit (they extend the audit chain, which has one writer at a time).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import asyncpg

from hub.store import outbox
from hub.store import postgres_schema as schema
from hub.store.base import StoreUnavailable
from hub.store.outbox import OutboxRow, Step
from hub.store.postgres_effects import GroupWrite

_CLAIM: Final = schema.dollar(outbox.CLAIM.format(lock=" FOR UPDATE SKIP LOCKED"))


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
