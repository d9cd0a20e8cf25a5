"""The embedded ledger: SQLite in WAL mode with group commit.

Appends are applied on the event-loop thread (a few microseconds of SQL and
the receipt signature each) inside an open transaction; only ``COMMIT`` — the
fsync, which runs without the GIL — goes to a worker thread. Appends that
arrive during a commit wait for the next one, so many requests share one
fsync, and each caller is answered only after its row is durable.

Keeping the per-message SQL off worker threads matters: a thread that drops
and re-takes the GIL around every statement waits up to the interpreter's
switch interval each time the event loop holds it (the "convoy effect"). Measured
again on 2026-12-07 under wrk on a quiet machine (bench/README.md, Ingress): the
whole transaction on the commit thread took ≈ 24 µs per request off the loop
but added ≈ 28 in all, and the rate fell ≈ 5%; it was taken back.

One process owns a ledger file (an exclusive lock next to it), which is what
lets the writer assign sequence numbers itself.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from certhub.hub.store import ledger_rows, outbox
from certhub.hub.store.audit_chain import AuditChain
from certhub.hub.store.base import (
    AppendOutcome,
    Conflict,
    LedgerRecord,
    NewMessage,
    Presigner,
    ReplayConflict,
    StoreError,
    StoreUnavailable,
)
from certhub.hub.store.bulk_append import BulkItem, BulkOutcome, find_many
from certhub.hub.store.group_commit import Append, GroupCommitQueue, Job
from certhub.hub.store.presign import Presigning
from certhub.hub.store.service_points import ServicePointTable
from certhub.hub.store.sqlite import schema
from certhub.hub.store.sqlite.bulk_append import append_bulk
from certhub.hub.store.sqlite.executor import EffectWriter
from certhub.hub.store.sqlite.files import MIN_FREE_BYTES, create_private, free_bytes, lock
from certhub.hub.store.sqlite.outbox import SqliteOutbox
from certhub.hub.store.sqlite.reads import SqliteReads
from certhub.hub.store.sqlite.wal import DEFAULT_LIMIT_BYTES, WalCheckpointer, wal_bytes

CheckpointSigner = Callable[[int, str], str]
"""Signs the audit chain's head (sequence, hash) with the hub's key."""


class SqliteLedger(GroupCommitQueue, SqliteReads, SqliteOutbox, ServicePointTable):
    """A :class:`~certhub.hub.store.base.LedgerStore` in one SQLite file."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        lock_fd: int,
        *,
        batch_max: int,
        synchronous: str,
        on_commit: Callable[[int], None] | None,
        checkpoint: CheckpointSigner | None,
        checkpoint_every: int,
        presigner: Presigner | None = None,
    ) -> None:
        self._conn = conn
        self._path = str(path)
        self._lock_fd = lock_fd
        self._init_queue(batch_max)
        self._synchronous = synchronous
        self._on_commit = on_commit  # observes each batch's size
        self._next_sequence = int(conn.execute(schema.NEXT_SEQUENCE).fetchone()[0])
        self._chain = AuditChain(*schema.audit_head(conn))
        self._checkpoint = checkpoint
        self._checkpoint_every = checkpoint_every
        # Receipts signed as appends join the queue, for the sequence each will get.
        self._presigning = Presigning(presigner) if presigner is not None else None
        self._foreseen_sequence = self._next_sequence
        self._effects = EffectWriter(conn, self._chain, self._take_sequence)
        self._committer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-commit")
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ledger-read")
        self._local = threading.local()
        self._wal: WalCheckpointer | None = None  # the writer's background checkpoints

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        batch_max: int = 512,
        synchronous: str = "FULL",
        on_commit: Callable[[int], None] | None = None,
        checkpoint: CheckpointSigner | None = None,
        checkpoint_every: int = 1000,
        presigner: Presigner | None = None,
        wal_limit_bytes: int = DEFAULT_LIMIT_BYTES,
    ) -> SqliteLedger:
        """Lock, create or upgrade the ledger at ``path``.

        The write-ahead log is kept near ``wal_limit_bytes`` (see
        :mod:`certhub.hub.store.sqlite.wal`).

        ``checkpoint`` signs the audit chain's head every ``checkpoint_every``
        entries and when the ledger closes. ``presigner`` signs receipts as
        appends join the queue, for the sequence each is foreseen to get (the
        transaction signs any it did not, or that got another sequence).
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        lock_fd = lock(path.with_name(path.name + ".lock"))
        try:
            create_private(path)
            conn = await asyncio.to_thread(schema.connect, str(path), synchronous=synchronous)
            await asyncio.to_thread(schema.migrate, conn)
        except BaseException:
            os.close(lock_fd)
            raise
        conn.execute("PRAGMA wal_autocheckpoint=0")  # WalCheckpointer does it, off the commit path
        conn.execute(f"PRAGMA journal_size_limit={int(wal_limit_bytes)}")
        conn.execute(f"PRAGMA cache_size=-{schema.WRITER_CACHE_KIB}")  # the writer's only
        ledger = cls(
            conn,
            path,
            lock_fd,
            batch_max=batch_max,
            synchronous=synchronous,
            on_commit=on_commit,
            checkpoint=checkpoint,
            checkpoint_every=checkpoint_every,
            presigner=presigner,
        )
        ledger._wal = WalCheckpointer(str(path), limit_bytes=wal_limit_bytes)
        ledger._wal.start()
        return ledger

    @classmethod
    async def open_read_only(cls, path: Path) -> SqliteLedger:
        """Open an existing ledger for reading only, beside a running hub (no lock, no writes)."""
        if not await asyncio.to_thread(path.is_file):
            raise StoreUnavailable(f"no ledger at {path}")
        conn = await asyncio.to_thread(
            schema.connect, str(path), synchronous="FULL", read_only=True
        )
        ledger = cls(
            conn,
            path,
            -1,
            batch_max=1,
            synchronous="FULL",
            on_commit=None,
            checkpoint=None,
            checkpoint_every=1,
        )
        ledger._closed = True  # refuses every write
        return ledger

    async def ping(self) -> None:
        """Readiness: open for writes, file readable, and its folder writable with space."""
        if self._closed:
            raise StoreUnavailable("the ledger is closed")
        try:
            await self._read("SELECT 1 FROM ledger LIMIT 1", ())
            free = await asyncio.to_thread(free_bytes, Path(self._path).parent)
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(f"ledger not readable: {exc}") from exc
        if free < MIN_FREE_BYTES:
            raise StoreUnavailable(f"only {free} bytes free next to the ledger")

    async def aclose(self) -> None:
        """Commit what is queued, then close connections and release the lock."""
        self._closed = True
        if self._flushing is not None:
            await self._flushing
        await self._final_checkpoint()
        if self._wal is not None:
            await self._wal.aclose()
        self._committer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        loop_reader: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if loop_reader is not None:  # is_delivered reads on the loop thread
            loop_reader.close()
        self._conn.close()
        if self._lock_fd >= 0:
            os.close(self._lock_fd)

    def wal_bytes(self) -> int:
        """The size of the ledger's write-ahead log file now (a metric)."""
        return wal_bytes(self._path)

    async def is_delivered(self, delivery_id: str) -> bool:
        """Whether the dispatcher recorded this delivery as done (checked before every call).

        Read on the event loop, on that thread's own read-only connection: one
        indexed row of a WAL database costs less than handing the query to a
        reader thread and taking the GIL back, which every delivery paid.
        Like every read here it sees committed rows only.
        """
        return bool(self._read_sync(outbox.DELIVERED, (delivery_id,)))

    # -- writing ---------------------------------------------------------

    async def _commit(self, batch: list[Job]) -> list[tuple[Job, object]]:
        conn = self._conn
        if self._presigning is not None:  # only this task moves _next_sequence meanwhile
            await self._presigning.ready(batch, self._next_sequence)
        if self._wal is not None and self._wal.reset_due:  # between batches, off the loop
            await asyncio.get_running_loop().run_in_executor(
                self._committer, self._wal.reset_on, conn
            )
        first_sequence = self._next_sequence
        chain_mark = self._chain.mark()
        try:
            conn.execute("BEGIN IMMEDIATE")
            results = [(job, self._run(job)) for job in batch]
            self._maybe_checkpoint(chain_mark[0])
            self._foresee()
            await asyncio.get_running_loop().run_in_executor(
                self._committer, conn.execute, "COMMIT"
            )
        except (sqlite3.Error, StoreError) as exc:  # the whole batch fails, nothing is stored
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._next_sequence = first_sequence
            self._chain.restore(chain_mark)
            self._foresee()
            failure = StoreUnavailable(f"ledger commit failed: {exc}")
            return [(job, failure) for job in batch]
        if self._on_commit is not None:
            self._on_commit(len(batch))
        return results

    def _batch_size(self, candidates: list[Job]) -> int:
        """The appends whose receipts are signed, from the first; all when the first is not.

        The rest's signatures finish on the helper while this batch commits,
        instead of the whole batch waiting for the last of them.
        """
        if self._presigning is None:
            return len(candidates)
        return self._presigning.signed_prefix(candidates, self._next_sequence) or len(candidates)

    def _queued(self, job: Job) -> None:
        if self._presigning is not None and isinstance(job, Append):
            self._presigning.expect(job, self._foreseen_sequence)
            self._foreseen_sequence += 1

    def _foresee(self) -> None:
        """Re-base the foreseen sequences on the ledger's, past the appends still queued."""
        queued = sum(isinstance(job, Append) for job in self._pending)
        self._foreseen_sequence = self._next_sequence + queued

    def _run(self, job: Job) -> object:
        if isinstance(job, Append):
            return self._apply(job)
        mark, sequence = self._chain.mark(), self._next_sequence
        self._conn.execute("SAVEPOINT write")
        try:
            result = job.apply(self._conn, self._effects)
        except sqlite3.Error as exc:
            self._conn.execute("ROLLBACK TO write")
            self._conn.execute("RELEASE write")
            self._chain.restore(mark)
            self._next_sequence = sequence  # a bulk append takes sequences
            return StoreUnavailable(f"write failed: {exc}")
        self._conn.execute("RELEASE write")
        return result

    def _apply(self, job: Append) -> AppendOutcome | StoreError:
        """Insert one message and its effects inside the open transaction.

        The insert is tried first: a duplicate is the rare case, and the
        UNIQUE (sender, message_id) constraint finds it without a prior SELECT.
        Effects run under a savepoint so a failed precondition undoes this
        message only.
        """
        message = job.message
        sequence = self._next_sequence
        try:
            receipt = job.receipt(sequence)
        except Exception as exc:  # a signing failure fails this message only
            return StoreUnavailable(f"could not sign the receipt: {exc}")
        chain_mark = self._chain.mark()
        # A savepoint costs two statements; only effects that can fail need one.
        # Without it the INSERT is still atomic on its own (statement rollback).
        guarded = job.effects.conditional
        if guarded:
            self._conn.execute("SAVEPOINT message")
        try:
            self._conn.execute(
                ledger_rows.INSERT, ledger_rows.insert_params(sequence, message, receipt)
            )
        except sqlite3.IntegrityError:
            if guarded:
                self._conn.execute("RELEASE message")
            return self._existing(message)
        self._next_sequence += 1
        try:
            at = message.received_at.isoformat()
            self._effects.audit(
                at, "message_accepted", str(sequence), message.sender, message.sha256
            )
            self._effects.apply(sequence, message, job.effects)
        except (Conflict, sqlite3.IntegrityError) as exc:
            if not guarded:  # an unconditional effect failed: fail the batch, roll back all
                raise
            self._conn.execute("ROLLBACK TO message")
            self._conn.execute("RELEASE message")
            self._next_sequence = sequence
            self._chain.restore(chain_mark)
            if isinstance(exc, Conflict):
                return exc
            return Conflict("conflict", f"changed meanwhile; retry ({exc})")
        if guarded:
            self._conn.execute("RELEASE message")
        return AppendOutcome(ledger_rows.new_record(sequence, message, receipt), created=True)

    def _bulk_writer(self, batch: Sequence[BulkItem]) -> Callable[..., Any]:
        def apply(conn: sqlite3.Connection, _writer: EffectWriter) -> list[BulkOutcome]:
            return append_bulk(conn, self._chain, self._take_sequence, batch)

        return apply

    async def find_many(self, sender: str, message_ids: Sequence[str]) -> dict[str, LedgerRecord]:
        """The records ``sender`` stored under any of ``message_ids``, by message id."""
        return await find_many(self._read, sender, message_ids)

    def _take_sequence(self) -> int:
        sequence = self._next_sequence
        self._next_sequence += 1
        return sequence

    def _maybe_checkpoint(self, before: int) -> None:
        every = self._checkpoint_every
        if self._checkpoint is not None and self._chain.seq // every > before // every:
            self._write_checkpoint()

    def _write_checkpoint(self) -> None:
        assert self._checkpoint is not None  # noqa: S101 - callers check
        seq, head = self._chain.mark()
        self._conn.execute(
            "INSERT OR REPLACE INTO audit_checkpoints (audit_seq, hash, jws) VALUES (?,?,?)",
            (seq, head, self._checkpoint(seq, head)),
        )

    async def _final_checkpoint(self) -> None:
        """Sign the head once more at shutdown so the newest entries are pinned too."""
        if self._checkpoint is None or self._chain.seq == 0:
            return
        self._conn.execute("BEGIN IMMEDIATE")
        self._write_checkpoint()
        await asyncio.get_running_loop().run_in_executor(
            self._committer, self._conn.execute, "COMMIT"
        )

    def _existing(self, message: NewMessage) -> AppendOutcome | StoreError:
        row = self._conn.execute(
            ledger_rows.SELECT_BY_MESSAGE_ID,
            (message.sender, message.message_id),
        ).fetchone()
        if row is None:  # the constraint that failed was not (sender, message_id)
            return StoreUnavailable("ledger refused the row")
        existing = ledger_rows.to_record(row)
        if existing.sha256 == message.sha256:
            return AppendOutcome(existing, created=False)
        return ReplayConflict("message id already used for a different message")
