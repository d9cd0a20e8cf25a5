"""The embedded ledger: SQLite in WAL mode with group commit.

One writer thread owns the write connection. Appends queue up while it is
committing, and the next transaction takes all of them at once, so many
requests share one fsync (group commit) while each caller still gets its
answer only after its row is durable. Reads run on a small thread pool with
their own connections, so they never wait behind a commit.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from hub.store import sqlite_schema as schema
from hub.store.base import (
    AppendOutcome,
    LedgerRecord,
    NewMessage,
    ReceiptFactory,
    RecordKind,
    ReplayConflict,
    StoreError,
    StoreUnavailable,
)

T = TypeVar("T")


@dataclass(slots=True)
class _Append:
    message: NewMessage
    receipt_for: ReceiptFactory
    future: asyncio.Future[AppendOutcome]


class SqliteLedger:
    """A :class:`~hub.store.base.LedgerStore` in one SQLite file."""

    def __init__(
        self,
        path: Path,
        *,
        batch_max: int = 512,
        synchronous: str = "FULL",
        on_commit: Callable[[int], None] | None = None,
    ) -> None:
        self._path = str(path)
        self._batch_max = batch_max
        self._synchronous = synchronous
        self._jobs: queue.SimpleQueue[_Append | None] = queue.SimpleQueue()
        self._local = threading.local()
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ledger-read")
        self._writer: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_commit = on_commit  # called from the writer thread with each batch's size

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        batch_max: int = 512,
        synchronous: str = "FULL",
        on_commit: Callable[[int], None] | None = None,
    ) -> SqliteLedger:
        """Create or upgrade the ledger at ``path`` and start its writer."""
        store = cls(path, batch_max=batch_max, synchronous=synchronous, on_commit=on_commit)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await asyncio.to_thread(schema.connect, store._path, synchronous=synchronous)
        await asyncio.to_thread(schema.migrate, conn)
        store._loop = asyncio.get_running_loop()
        store._writer = threading.Thread(
            target=store._write_loop, args=(conn,), name="ledger-writer", daemon=True
        )
        store._writer.start()
        return store

    async def append(self, message: NewMessage, receipt_for: ReceiptFactory) -> AppendOutcome:
        """Queue ``message`` for the next group commit and wait until it is durable."""
        if self._writer is None or not self._writer.is_alive():
            raise StoreUnavailable("the ledger is closed")
        future: asyncio.Future[AppendOutcome] = asyncio.get_running_loop().create_future()
        # A caller that goes away (client disconnect) must not lose the outcome
        # silently: the write still commits and a re-send gets the same receipt.
        future.add_done_callback(_mark_retrieved)
        self._jobs.put(_Append(message, receipt_for, future))
        return await asyncio.shield(future)

    async def find(self, sender: str, message_id: str) -> LedgerRecord | None:
        """The record a sender stored under ``message_id``, if any."""
        rows = await self._read(
            f"SELECT {schema.COLUMNS} FROM ledger WHERE sender=? AND message_id=?",
            (sender, message_id),
        )
        return schema.to_record(rows[0]) if rows else None

    async def page(self, kind: RecordKind, after: int, limit: int) -> Sequence[LedgerRecord]:
        """Records of ``kind`` after sequence ``after``, oldest first."""
        rows = await self._read(
            f"SELECT {schema.COLUMNS} FROM ledger WHERE kind=? AND sequence>?"
            " ORDER BY sequence LIMIT ?",
            (kind.value, after, limit),
        )
        return [schema.to_record(row) for row in rows]

    async def count(self, kind: RecordKind | None = None) -> int:
        """How many records the ledger holds."""
        if kind is None:
            rows = await self._read("SELECT count(*) FROM ledger", ())
        else:
            rows = await self._read("SELECT count(*) FROM ledger WHERE kind=?", (kind.value,))
        return int(str(rows[0][0]))

    async def aclose(self) -> None:
        """Commit what is queued, stop the writer and close all connections."""
        if self._writer is not None:
            self._jobs.put(None)
            await asyncio.to_thread(self._writer.join)
            self._writer = None
        self._readers.shutdown(wait=True)

    # -- reader side -----------------------------------------------------

    async def _read(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._read_sync, sql, params)

    def _read_sync(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = schema.connect(self._path, synchronous=self._synchronous, read_only=True)
            self._local.conn = conn
        return conn.execute(sql, params).fetchall()

    # -- writer side -----------------------------------------------------

    def _write_loop(self, conn: sqlite3.Connection) -> None:
        running = True
        while running:
            first = self._jobs.get()
            batch: list[_Append] = []
            if first is None:
                running = False
            else:
                batch.append(first)
            while running and len(batch) < self._batch_max:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    running = False
                else:
                    batch.append(job)
            if batch:
                self._settle(self._commit(conn, batch))
        conn.close()

    def _commit(
        self, conn: sqlite3.Connection, batch: list[_Append]
    ) -> list[tuple[_Append, AppendOutcome | BaseException]]:
        results: list[tuple[_Append, AppendOutcome | BaseException]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                results.append((job, self._apply_one(conn, job)))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            failure = StoreUnavailable(f"ledger commit failed: {exc}")
            return [(job, failure) for job in batch]
        if self._on_commit is not None:
            self._on_commit(len(batch))
        return results

    def _apply_one(self, conn: sqlite3.Connection, job: _Append) -> AppendOutcome | StoreError:
        message = job.message
        row = conn.execute(
            f"SELECT {schema.COLUMNS} FROM ledger WHERE sender=? AND message_id=?",
            (message.sender, message.message_id),
        ).fetchone()
        if row is not None:
            existing = schema.to_record(row)
            if existing.sha256 == message.sha256:
                return AppendOutcome(existing, created=False)
            return ReplayConflict("message id already used for a different message")
        conn.execute("SAVEPOINT one")
        try:
            sequence = conn.execute(schema.INSERT, schema.insert_params(message)).lastrowid
            assert sequence is not None  # noqa: S101 - sqlite always sets it after INSERT
            receipt = job.receipt_for(sequence)
            conn.execute("UPDATE ledger SET receipt=? WHERE sequence=?", (receipt, sequence))
        except Exception as exc:
            conn.execute("ROLLBACK TO one")
            conn.execute("RELEASE one")
            return StoreUnavailable(f"could not record message: {exc}")
        conn.execute("RELEASE one")
        record = LedgerRecord(
            sequence=sequence,
            kind=message.kind,
            message_type=message.message_type,
            sender=message.sender,
            message_id=message.message_id,
            kid=message.kid,
            sha256=message.sha256,
            jws=message.jws,
            payload=message.payload,
            received_at=message.received_at,
            receipt=receipt,
        )
        return AppendOutcome(record, created=True)

    def _settle(self, results: list[tuple[_Append, AppendOutcome | BaseException]]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(_resolve_all, results)


def _mark_retrieved(future: asyncio.Future[AppendOutcome]) -> None:
    if not future.cancelled():
        future.exception()


def _resolve_all(results: list[tuple[_Append, AppendOutcome | BaseException]]) -> None:
    """Hand each waiting caller its outcome (runs on the event loop)."""
    for job, outcome in results:
        if job.future.done():
            continue
        if isinstance(outcome, BaseException):
            job.future.set_exception(outcome)
        else:
            job.future.set_result(outcome)
