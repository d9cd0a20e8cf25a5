"""The production ledger: PostgreSQL through asyncpg, with group commit across processes.

Group commit works as in :mod:`certhub.hub.store.sqlite`: appends queue, and one
transaction (``synchronous_commit=on``, so ``COMMIT`` returns after the WAL
flush) commits everything that queued while the previous one was
committing; each caller is answered only once its row is durable. Each
message with effects runs under a ``SAVEPOINT``, so a failed precondition
undoes that message only. Plain messages (no effects) are stored in bulk, a
run of them in two statements (:mod:`certhub.hub.store.postgres.bulk`).

Several hub processes may write the same database (scale-out). Two things
then need a single writer at a time:

* **Sequence order = commit order.** The provincial pull pages
  ``sequence > cursor``; if a transaction could commit sequence 11 before
  another commits 10, a reader between the two commits would move its cursor
  past 10 and never see it.
* **One audit chain head.** Every link hashes the previous one.

So each group-commit transaction starts with
``pg_advisory_xact_lock(WRITER_LOCK)`` and only then reads ``max(sequence)``
and the last audit row: nothing is kept in memory across transactions,
because other processes append in between. The lock is released after the
commit is visible, so the next writer's rows become visible strictly later.
Batching keeps the cost of this serialisation to one lock wait per batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import asyncpg

from certhub.hub.store import ledger_rows
from certhub.hub.store.base import (
    LedgerRecord,
    StoreUnavailable,
)
from certhub.hub.store.bulk_append import BulkItem, BulkOutcome
from certhub.hub.store.group_commit import GroupCommitQueue, Job
from certhub.hub.store.postgres import schema
from certhub.hub.store.postgres.bulk_append import STORED, append_bulk
from certhub.hub.store.postgres.commit import (
    DATABASE_ERRORS,
    begin,
    connect_pool,
    connect_writer,
    run_batch,
)
from certhub.hub.store.postgres.executor import GroupWrite
from certhub.hub.store.postgres.outbox import PostgresOutbox
from certhub.hub.store.postgres.queries import PostgresQueries
from certhub.hub.store.postgres.turns import AdvisoryTurns
from certhub.hub.store.service_points import ServicePointTable

CheckpointSigner = Callable[[int, str], str]
"""Signs the audit chain's head (sequence, hash) with the hub's key."""

_log = logging.getLogger(__name__)


class PostgresLedger(GroupCommitQueue, PostgresQueries, PostgresOutbox, ServicePointTable):
    """A :class:`~certhub.hub.store.base.LedgerStore` in a PostgreSQL database."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        url: str,
        *,
        batch_max: int,
        on_commit: Callable[[int], None] | None,
        checkpoint: CheckpointSigner | None,
        checkpoint_every: int,
        read_only: bool = False,
    ) -> None:
        self._pool = pool
        self._init_queue(batch_max)
        self._on_commit = on_commit  # observes each batch's size
        self._checkpoint = checkpoint
        self._checkpoint_every = checkpoint_every
        self._read_only = read_only
        self._closed = read_only  # a read-only ledger refuses every write
        self._url = url
        self._writer: asyncpg.Connection | None = None
        self._turns = AdvisoryTurns(url)

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        batch_max: int = 512,
        on_commit: Callable[[int], None] | None = None,
        checkpoint: CheckpointSigner | None = None,
        checkpoint_every: int = 1000,
        pool_size: int = 8,
    ) -> PostgresLedger:
        """Connect to ``url`` (``postgresql://…``) and migrate the schema to the newest version.

        ``checkpoint`` signs the audit chain's head every ``checkpoint_every``
        entries and when the ledger closes.

        Raises:
            StoreUnavailable: the database cannot be reached or migrated.
        """
        pool = await connect_pool(url, pool_size, {})
        await schema.migrate_pool(pool)
        return cls(
            pool,
            url,
            batch_max=batch_max,
            on_commit=on_commit,
            checkpoint=checkpoint,
            checkpoint_every=checkpoint_every,
        )

    @classmethod
    async def open_read_only(cls, url: str) -> PostgresLedger:
        """Open an existing ledger for reading only, beside running hubs (no migration)."""
        pool = await connect_pool(url, 2, {"default_transaction_read_only": "on"})
        try:
            async with pool.acquire() as conn:
                version = await schema.schema_version(conn)
        except DATABASE_ERRORS as exc:
            await pool.close()
            raise StoreUnavailable(f"cannot read the ledger database: {exc}") from exc
        if version == 0:
            await pool.close()
            raise StoreUnavailable("no certhub ledger in that database")
        return cls(
            pool,
            url,
            batch_max=1,
            on_commit=None,
            checkpoint=None,
            checkpoint_every=1,
            read_only=True,
        )

    async def ping(self) -> None:
        """Readiness: open for writes, the ledger readable, the server not a standby."""
        if self._closed:
            raise StoreUnavailable("the ledger is closed")
        try:
            standby = await self._pool.fetchval(
                "SELECT pg_is_in_recovery() FROM (SELECT count(*) FROM ledger WHERE false) AS t"
            )
        except DATABASE_ERRORS as exc:
            raise StoreUnavailable(f"ledger not readable: {exc}") from exc
        if standby:
            raise StoreUnavailable("the ledger database is a read-only standby")

    async def aclose(self) -> None:
        """Commit what is queued, sign the chain's head, then close the pool."""
        self._closed = True
        if self._flushing is not None:
            await self._flushing
        try:
            await self._final_checkpoint()
        except DATABASE_ERRORS as exc:
            raise StoreUnavailable(f"could not sign the final checkpoint: {exc}") from exc
        finally:
            await self._release_writer()
            await self._turns.aclose()
            await self._pool.close()

    def terminate(self) -> None:
        """Drop every connection at once, committing nothing (as a crashed process would)."""
        self._closed = True
        if self._writer is not None:
            self._writer.terminate()
            self._writer = None
        self._turns.terminate()
        self._pool.terminate()

    def key_turn(self, key: str) -> AbstractAsyncContextManager[None]:
        """``key``'s turn in every process on this database, held until the block ends
        (:mod:`certhub.hub.store.postgres.turns`): a coordinator's sendings, counted
        then recorded one at a time however many processes they reach."""
        return self._turns.hold(key)

    # -- writing ---------------------------------------------------------

    async def _commit(self, batch: list[Job]) -> list[tuple[Job, object]]:
        try:
            conn = await self._writer_connection()
            async with conn.transaction():
                group = await begin(conn)
                before = group.chain.seq
                results = list(zip(batch, await run_batch(group, batch), strict=True))
                await group.flush_audit()
                await self._maybe_checkpoint(group, before)
        except DATABASE_ERRORS as exc:
            await self._release_writer()  # perhaps broken: the next batch connects afresh
            failure = StoreUnavailable(f"ledger commit failed: {exc}")
            return [(job, failure) for job in batch]
        except Exception as exc:  # a bug must not leave callers waiting forever
            _log.exception("ledger group commit failed")
            await self._release_writer()
            failure = StoreUnavailable(f"ledger commit failed: {exc}")
            return [(job, failure) for job in batch]
        if self._on_commit is not None:
            self._on_commit(len(batch))
        return results

    def _bulk_writer(self, batch: Sequence[BulkItem]) -> Callable[..., Any]:
        async def apply(group: GroupWrite) -> list[BulkOutcome]:
            return await append_bulk(group, batch)

        return apply

    async def find_many(self, sender: str, message_ids: Sequence[str]) -> dict[str, LedgerRecord]:
        """The records ``sender`` stored under any of ``message_ids``, by message id."""
        found: dict[str, LedgerRecord] = {}
        for row in await self._read(STORED, (list(message_ids), sender)):
            record = ledger_rows.to_record(row)
            found[record.message_id] = record
        return found

    async def _writer_connection(self) -> asyncpg.Connection:
        """The connection every group commit uses, kept from one batch to the next."""
        if self._writer is None or self._writer.is_closed():
            self._writer = await connect_writer(self._url)
        return self._writer

    async def _release_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None and not writer.is_closed():
            try:
                await writer.close(timeout=5)
            except (*DATABASE_ERRORS, TimeoutError):  # broken or stuck: drop it
                writer.terminate()

    async def _maybe_checkpoint(self, group: GroupWrite, before: int) -> None:
        every = self._checkpoint_every
        if self._checkpoint is not None and group.chain.seq // every > before // every:
            await self._write_checkpoint(group)

    async def _write_checkpoint(self, group: GroupWrite) -> None:
        assert self._checkpoint is not None  # noqa: S101 - callers check
        seq, head = group.chain.mark()
        await group.conn.execute(schema.UPSERT_CHECKPOINT, seq, head, self._checkpoint(seq, head))

    async def _final_checkpoint(self) -> None:
        """Sign the head once more at shutdown so the newest entries are pinned too."""
        if self._checkpoint is None or self._read_only:
            return
        async with self._pool.acquire() as conn, conn.transaction():
            group = await begin(conn)
            if group.chain.seq > 0:
                await self._write_checkpoint(group)


__all__ = ["CheckpointSigner", "PostgresLedger"]
