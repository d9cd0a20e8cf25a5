"""The embedded ledger as an ingress process sees it: its own reads, the writer's commits.

An ingress process of ``certhub serve --processes N`` opens the SQLite file
read-only (WAL readers never block the writer, and see every committed row)
and sends each write — an append with its effects, or a small audited write —
to the process that owns the file, over the channel of
:mod:`certhub.hub.store.sqlite.writer_wire`. The call returns only when the
writer's group commit holds it, so a 202 given here is as durable as one
the writer gives; sequences, the audit chain and receipts stay the one
writer's (the receipt is signed there, from the message's own fields).

If the writer goes away, every call in flight and every new one fails with
:class:`StoreUnavailable` (the sender gets a 503 and re-sends; a re-send of
a message that did commit gets its original receipt), and the next call
connects again.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from certhub.hub.store import ledger_rows
from certhub.hub.store.base import AppendOutcome, ReceiptFactory, StoreUnavailable
from certhub.hub.store.effects import NO_EFFECTS, Effects
from certhub.hub.store.group_commit import mark_retrieved
from certhub.hub.store.records import NewMessage
from certhub.hub.store.sqlite.ledger import SqliteLedger
from certhub.hub.store.sqlite.outbox import Apply
from certhub.hub.store.sqlite.writer_wire import (
    FrameBatch,
    FrameError,
    decode,
    encode,
    read_frame,
)
from certhub.hub.store.writes import Op
from certhub.security import ReceiptDraft

__all__ = ["WriterChannel", "WriterClientLedger"]


class WriterChannel:
    """Calls on the ledger writer over its Unix socket, many in flight on one connection."""

    def __init__(self, path: Path) -> None:
        """Talk to the writer listening at ``path``."""
        self._path = path
        self._ids = itertools.count()
        self._pending: dict[int, asyncio.Future[tuple[bool, Any]]] = {}
        self._writer: asyncio.StreamWriter | None = None
        self._batch: FrameBatch | None = None
        self._listener: asyncio.Task[None] | None = None
        self._connecting = asyncio.Lock()

    async def call(self, operation: str, *arguments: object) -> Any:
        """The writer's answer to ``operation``; its store error is raised here.

        Raises:
            StoreUnavailable: the writer cannot be reached or went away mid-call.
        """
        batch = await self._connected()
        call_id = next(self._ids)
        answer: asyncio.Future[tuple[bool, Any]] = asyncio.get_running_loop().create_future()
        answer.add_done_callback(mark_retrieved)  # failed by the listener, perhaps unawaited
        # Registered before any await: if the connection is lost from here on, the
        # listener (still running: the writer was not closing) fails this call.
        self._pending[call_id] = answer
        try:
            batch.write(encode(call_id, (operation, arguments)))  # at most a turn's calls queue
            ok, value = await answer
        except (ConnectionError, OSError) as exc:
            raise StoreUnavailable(f"the ledger writer went away: {exc}") from exc
        finally:
            self._pending.pop(call_id, None)
        if not ok:
            raise value
        return value

    async def _connected(self) -> FrameBatch:
        async with self._connecting:
            if self._writer is None or self._batch is None or self._writer.is_closing():
                try:
                    reader, self._writer = await asyncio.open_unix_connection(self._path)
                except OSError as exc:
                    raise StoreUnavailable(f"no ledger writer at {self._path}: {exc}") from exc
                self._batch = FrameBatch(self._writer)
                self._listener = asyncio.create_task(self._listen(reader, self._writer))
            return self._batch

    async def _listen(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Hand each answer to its call; when the stream ends, fail every call still waiting."""
        why = "closed the channel"
        try:
            while True:
                call_id, body = await read_frame(reader)
                answer = self._pending.get(call_id)
                if answer is not None and not answer.done():
                    try:
                        answer.set_result(decode(body))
                    except FrameError as exc:
                        answer.set_exception(StoreUnavailable(f"ledger writer's answer: {exc}"))
        except (asyncio.IncompleteReadError, ConnectionError, OSError, FrameError) as exc:
            why = f"{type(exc).__name__}: {exc}"
        finally:
            writer.close()
            if self._writer is writer:
                self._writer = None
            for answer in self._pending.values():
                if not answer.done():
                    answer.set_exception(StoreUnavailable(f"the ledger writer {why}"))

    async def aclose(self) -> None:
        """Close the connection; calls still waiting fail."""
        if self._writer is not None:
            self._writer.close()
        if self._listener is not None:
            await asyncio.gather(self._listener, return_exceptions=True)


class WriterClientLedger(SqliteLedger):
    """A read-only :class:`SqliteLedger` whose writes the writer process commits."""

    _channel: WriterChannel

    @classmethod
    async def connect(cls, path: Path, writer_socket: Path) -> WriterClientLedger:
        """Open the ledger at ``path`` for reading; write through the writer at ``writer_socket``.

        Raises:
            StoreUnavailable: no ledger file, or no writer answering on the socket.
        """
        ledger = await cls.open_read_only(path)
        assert isinstance(ledger, WriterClientLedger)  # noqa: S101 - open_read_only builds cls
        ledger._channel = WriterChannel(writer_socket)
        try:
            await ledger._channel.call("ping")
        except BaseException:
            await ledger.aclose()
            raise
        return ledger

    async def append(
        self, message: NewMessage, receipt_for: ReceiptFactory, effects: Effects = NO_EFFECTS
    ) -> AppendOutcome:
        """Append through the writer; durable when this returns (see ``RecordStore.append``).

        The writer signs the receipt for the sequence it assigns, from the
        message's own fields: ``receipt_for`` must be the pipeline's draft of
        exactly those fields.
        """
        if not _drafted_for(receipt_for, message):
            raise TypeError("an ingress process appends with a receipt draft of the message")
        answer = await self._channel.call("append", message, effects)
        if isinstance(answer, AppendOutcome):  # a re-send: the stored record
            return answer
        sequence, receipt = answer
        return AppendOutcome(ledger_rows.new_record(sequence, message, receipt), created=True)

    async def _run_ops(self, ops: Sequence[Op]) -> int:
        count: int = await self._channel.call("ops", tuple(ops))
        return count

    async def _write(self, apply: Apply) -> Any:
        # Outbox claims and transitions are the worker role's, which runs in the writer.
        raise StoreUnavailable("an ingress process does not write the outbox")

    async def ping(self) -> None:
        """Ready when the file is readable and the writer answers (and is ready itself)."""
        await self._read("SELECT 1 FROM ledger LIMIT 1", ())
        await self._channel.call("ping")

    async def aclose(self) -> None:
        """Close the channel and the read-only connections."""
        channel: WriterChannel | None = getattr(self, "_channel", None)
        if channel is not None:
            await channel.aclose()
        await super().aclose()


def _drafted_for(receipt_for: ReceiptFactory, message: NewMessage) -> bool:
    return (
        isinstance(receipt_for, ReceiptDraft)
        and receipt_for.message_id == message.message_id
        and receipt_for.sender == message.sender
        and receipt_for.digest == message.sha256
        and receipt_for.received_at == message.received_at
        and receipt_for.message_type == message.message_type
    )
