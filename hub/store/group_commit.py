"""Group commit, shared by every ledger backend: one queue, many messages per transaction.

Callers enqueue appends (and small writes) and wait on a future; one flush
task takes up to ``batch_max`` jobs at a time and hands them to the backend's
``_commit``, which applies them in one transaction and returns each job's
outcome. Every caller is answered only after its transaction committed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from certhub.hub.store.base import AppendOutcome, ReceiptFactory, StoreError, StoreUnavailable
from certhub.hub.store.bulk_append import BulkItem, BulkOutcome
from certhub.hub.store.effects import NO_EFFECTS, Effects
from certhub.hub.store.records import NewMessage
from certhub.monitoring.tracing import span


@dataclass(slots=True)
class Append:
    """A message to append, waiting for the group commit."""

    message: NewMessage
    receipt_for: ReceiptFactory
    effects: Effects
    future: asyncio.Future[Any]
    presigned: tuple[int, str] | None = None  # (sequence, receipt) signed ahead of the commit

    def receipt(self, sequence: int) -> str:
        """The receipt for ``sequence``: the one signed ahead if it was for this sequence."""
        if self.presigned is not None and self.presigned[0] == sequence:
            return self.presigned[1]
        return self.receipt_for(sequence)


@dataclass(slots=True)
class Write:
    """A small write that is not a message (audit-only entry, notice sent) in the batch.

    ``apply`` is backend-specific: it gets the backend's transaction handle.
    """

    apply: Callable[..., Any]
    future: asyncio.Future[Any]


Job = Append | Write


class GroupCommitQueue:
    """The queue half of a ledger; the backend provides ``_commit``."""

    _pending: list[Job]
    _flushing: asyncio.Task[None] | None
    _closed: bool
    _batch_max: int
    _write_observer: Callable[[float], None] | None = None

    def observe_writes(self, observer: Callable[[float], None]) -> None:
        """Tell ``observer`` each committed write's seconds from queueing to durable commit.

        Every write goes through the queue (appends, decisions, audit-only entries,
        notices), so this is ``certhub_ledger_write_duration_seconds`` for all of them.
        """
        self._write_observer = observer

    def _init_queue(self, batch_max: int) -> None:
        self._pending = []
        self._flushing = None
        self._closed = False
        self._batch_max = batch_max

    async def append(
        self, message: NewMessage, receipt_for: ReceiptFactory, effects: Effects = NO_EFFECTS
    ) -> AppendOutcome:
        """Queue ``message`` and its effects for the next group commit; wait until durable."""
        outcome: AppendOutcome = await self._submit(
            lambda future: Append(message, receipt_for, effects, future)
        )
        return outcome

    async def append_many(self, batch: Sequence[BulkItem]) -> list[BulkOutcome]:
        """Append ``batch`` in one transaction, one write job in the queue (see
        :mod:`certhub.hub.store.bulk_append`); each message's outcome, in order.

        All or nothing: a failure stores none of the batch.
        """
        if not batch:
            return []
        outcomes: list[BulkOutcome] = await self._write(self._bulk_writer(batch))
        return outcomes

    def _bulk_writer(self, batch: Sequence[BulkItem]) -> Callable[..., Any]:
        """The backend's write job storing ``batch`` (its ``apply``)."""
        raise NotImplementedError

    async def _write(self, apply: Callable[..., Any]) -> Any:
        return await self._submit(lambda future: Write(apply, future))

    async def _submit(self, job_for: Callable[[asyncio.Future[Any]], Job]) -> Any:
        if self._closed:
            raise StoreUnavailable("the ledger is closed")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        # A caller that goes away (client disconnect) does not stop the write: the
        # job stays queued and commits (a cancelled future is skipped when settled),
        # and a re-send of the same bytes gets the same receipt.
        future.add_done_callback(mark_retrieved)
        job = job_for(future)
        started = time.perf_counter()
        self._pending.append(job)
        self._queued(job)
        if self._flushing is None:
            self._flushing = asyncio.create_task(self._flush())
        with span("ledger write", {"certhub.ledger.queued": len(self._pending)}):
            result = await future  # a refused write raises: only durable commits are observed
        if self._write_observer is not None:
            self._write_observer(time.perf_counter() - started)
        return result

    def _queued(self, job: Job) -> None:
        """Called as each job joins the queue (a backend may start work on it early)."""

    async def _flush(self) -> None:
        """Commit batches until nothing is pending."""
        try:
            while self._pending:
                size = self._batch_size(self._pending[: self._batch_max])
                batch = self._pending[:size]
                del self._pending[:size]
                for job, outcome in await self._commit(batch):
                    settle(job, outcome)
        finally:
            self._flushing = None

    def _batch_size(self, candidates: list[Job]) -> int:
        """How many of ``candidates`` (the first pending jobs) the next transaction takes."""
        return len(candidates)

    async def _commit(self, batch: list[Job]) -> list[tuple[Job, object]]:
        """Apply ``batch`` in one transaction; each job's result or StoreError."""
        raise NotImplementedError


def mark_retrieved(future: asyncio.Future[Any]) -> None:
    """Mark a failure as seen: a caller that went away must not cause a warning."""
    if not future.cancelled():
        future.exception()


def settle(job: Job, outcome: object) -> None:
    """Answer the job's caller with ``outcome`` (a result or a store error)."""
    if job.future.done():
        return
    if isinstance(outcome, StoreError):
        job.future.set_exception(outcome)
    else:
        job.future.set_result(outcome)
