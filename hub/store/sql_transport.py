"""The ledger's transport as the portable SQL sees it: one read, one group write.

The queries and statements in ``hub/store`` are plain SQL that both dialects
accept (``?`` placeholders; PostgreSQL's transport numbers them). Each mixin
holding some (pull pages, the register, statistics, the outbox's reads, the
service points …) derives from :class:`SqlReads` or :class:`SqlWrites` and asks
the one transport its dialect's ledger provides, declared here once:

- reads: SQLite runs them on its reader threads, each with its own read-only
  connection (:class:`~certhub.hub.store.sqlite.reads.SqliteReads`);
  PostgreSQL on its pool (:class:`~certhub.hub.store.postgres.queries.PostgresQueries`),
  answering SQLite's values so the mixins see one kind of row;
- writes: the ledger runs the operations in its next group commit (each
  dialect's outbox class hands them to its executor; an ingress process's
  ledger sends them to the writer), in order with the messages around them and
  their audit links in the one chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from certhub.hub.store.writes import Op

__all__ = ["SqlReads", "SqlWrites"]


class SqlReads:
    """A portable-SQL mixin's read side: ``_read`` is the dialect's one read transport."""

    async def _read(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        """The rows ``sql`` finds with ``params``, each a tuple of SQLite's values."""
        raise NotImplementedError  # the dialect's ledger: reader threads, or a pool


class SqlWrites:
    """A portable-SQL mixin's write side: ``_run_ops`` is the dialect's one group write."""

    async def _run_ops(self, ops: Sequence[Op]) -> int:
        """Run ``ops`` in the next group commit; how many audited statements changed rows."""
        raise NotImplementedError  # the dialect's group write and executor

    async def apply_writes(self, ops: Sequence[Op]) -> int:
        """Run writes that belong to no message (a roster import, a reminder) in the next group
        commit; how many audited statements changed rows."""
        return await self._run_ops(ops)
