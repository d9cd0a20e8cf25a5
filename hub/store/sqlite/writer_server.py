"""The writer's side of the ledger channel: commit what the ingress processes hand over.

Runs in the process that owns the SQLite ledger. Each call joins the same
group commit as the writer's own requests, so the ingress processes' appends
share its fsyncs, sequences and audit chain, and each answer leaves only
after its commit. The receipt is drafted here, by the writer's receipt
signer, from the message's own fields.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from certhub.hub.store.base import StoreError, StoreUnavailable
from certhub.hub.store.effects import Effects
from certhub.hub.store.records import NewMessage, draft_receipt
from certhub.hub.store.sqlite.ledger import SqliteLedger
from certhub.hub.store.sqlite.writer_wire import (
    FrameBatch,
    FrameError,
    decode,
    encode,
    read_frame,
)
from certhub.hub.store.writes import Check, Link, Run, RunMany
from certhub.security import ReceiptSigner

__all__ = ["LedgerWriterServer"]

log = logging.getLogger(__name__)


class LedgerWriterServer:
    """Serves ``store``'s writes on a Unix socket to the deployment's ingress processes."""

    def __init__(
        self, store: SqliteLedger, receipts: Callable[[], ReceiptSigner], path: Path
    ) -> None:
        """Commit into ``store``, drafting receipts with ``receipts()``, listening at ``path``."""
        self._store = store
        self._receipts = receipts
        self._path = path
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self._calls: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Listen (replacing a socket file a previous run left behind), owner-only."""
        with contextlib.suppress(FileNotFoundError):
            self._path.unlink()
        old_umask = os.umask(0o177)  # the socket is born 0600: no window for another user
        try:
            self._server = await asyncio.start_unix_server(self._serve, self._path)
        finally:
            os.umask(old_umask)

    async def aclose(self) -> None:
        """Stop listening, let the calls in progress commit and answer, then close."""
        if self._server is not None:
            self._server.close()
        if self._calls:
            await asyncio.wait(set(self._calls))
        for writer in list(self._connections):
            writer.close()
        if self._server is not None:
            await self._server.wait_closed()
        with contextlib.suppress(FileNotFoundError):
            self._path.unlink()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        answers = FrameBatch(writer)  # a group commit's answers leave in one send
        try:
            while True:
                call_id, body = await read_frame(reader)
                call = asyncio.create_task(self._answer(answers, call_id, body))
                self._calls.add(call)
                call.add_done_callback(self._calls.discard)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the ingress process closed the channel (stopping or restarting)
        except FrameError as exc:
            log.error("ledger channel: closed after an unreadable frame: %s", exc)
        finally:
            self._connections.discard(writer)
            writer.close()

    async def _answer(self, answers: FrameBatch, call_id: int, body: bytes) -> None:
        try:
            frame = encode(call_id, (True, await self._call(*decode(body))))
        except StoreError as exc:
            frame = encode(call_id, (False, exc))
        except (FrameError, TypeError, ValueError) as exc:  # refused, nothing written
            log.error("ledger channel: refused a malformed call: %s", exc)
            frame = encode(call_id, (False, StoreUnavailable(f"malformed ledger call: {exc}")))
        except Exception as exc:  # a bug here must not look like a commit: report unavailable
            log.exception("ledger channel: a call failed")
            frame = encode(call_id, (False, StoreUnavailable(f"ledger writer failed: {exc}")))
        answers.write(frame)  # not sent if the ingress process went away meanwhile

    async def _call(self, operation: str, arguments: Any) -> object:
        if operation == "append":
            message, effects = arguments
            if not isinstance(message, NewMessage) or not isinstance(effects, Effects):
                raise TypeError("append takes a NewMessage and its Effects")
            draft = draft_receipt(self._receipts(), message)
            outcome = await self._store.append(message, draft, effects)
            if outcome.created:  # the caller has the message: its place and receipt suffice
                return outcome.record.sequence, outcome.record.receipt
            return outcome
        if operation == "ops":
            (ops,) = arguments
            if not all(isinstance(op, Run | RunMany | Check | Link) for op in ops):
                raise TypeError("ops takes write operations only")
            return await self._store._run_ops(ops)
        if operation == "ping":
            await self._store.ping()
            return None
        raise TypeError(f"unknown ledger call {operation!r}")
