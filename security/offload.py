"""Signature arithmetic on another core: a helper process fed in batches.

The hub's event loop is one thread; checking an Ed25519 signature is the
largest single piece of its work per message, and signing its receipt the
next. ``cryptography`` releases the GIL while it verifies, but a worker
*thread* must take the GIL back from the busy loop to report each result,
and those hand-overs cost more than the check saves (measured; see
``bench/README.md``). A helper *process* has its own interpreter: the loop
only writes one frame per batch and reads one frame back.

The hub keeps every trust decision (which key, may this sender send this
type); the helper only does the arithmetic. To sign receipts it is handed
the hub's receipt key: it is the hub's own child, over a socket pair no
other process can reach. If the helper dies, or hangs (a batch unanswered
for ``ANSWER_TIMEOUT``; it is then killed), the work falls back to the loop
thread and a new helper is started after a pause.

A hub may start its helper *on demand* (:meth:`SignatureHelper.on_demand`):
the process starts once enough signatures have been asked of it, and until
then the loop does the work. Starting a Python process costs about as much
CPU as 6,000 checks, which a hub that checks few signatures (a CLI command's
hub, a quiet ingress process) never earns back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
import subprocess
import sys
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from .keys import SigningKey, VerifyingKey
from .signature_wire import (
    MAX_SIGNATURE,
    SIGN_ED25519,
    SIGN_ES256,
    VALID,
    VERIFY_ED25519,
    VERIFY_ES256,
    FrameBuffer,
    Item,
    decode_answers,
    encode_batch,
)

log = logging.getLogger(__name__)

RESTART_PAUSE = 5.0  # seconds between attempts to replace a dead helper
ANSWER_TIMEOUT = 5.0  # seconds a batch may go unanswered before the helper counts as hung
HELPER_EXIT_WAIT = 5.0  # seconds the helper gets to exit after its socket closes


class HelperGone(Exception):
    """The helper process ended before answering."""


@dataclass(slots=True)
class _Waiter:
    """A caller waiting for ``count`` consecutive answers of a batch."""

    future: asyncio.Future[list[bytes]]
    count: int


class SignatureHelper:
    """Signature arithmetic in a helper process, batching the work of each loop turn."""

    def __init__(self) -> None:
        self._pending_items: list[Item] = []
        self._pending_waiters: list[_Waiter] = []
        self._in_flight: deque[list[_Waiter]] = deque()
        self._wire_keys: dict[tuple[str, bool], tuple[object, int, bytes]] = {}
        self._transport: asyncio.Transport | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._send_scheduled = False
        self._sent = self._answered_batches = 0
        self._closed = False
        self._restart_timer: asyncio.TimerHandle | None = None
        self._starting: asyncio.Task[None] | None = None
        self._demand_left: int | None = None  # items still to be asked before the first start

    @classmethod
    async def start(cls) -> SignatureHelper:
        """Start the helper process and connect to it."""
        helper = cls()
        await helper._spawn()
        return helper

    @classmethod
    def on_demand(cls, after: int) -> SignatureHelper:
        """A helper whose process starts (in the background) once ``after`` signatures have
        been asked of it; until it is connected each check and signature is done on the
        caller's loop, as after a helper's death."""
        helper = cls()
        helper._demand_left = max(after, 1)
        return helper

    @property
    def running(self) -> bool:
        """Whether work currently goes to the helper process."""
        return self._transport is not None

    @property
    def awaiting_demand(self) -> bool:
        """Whether the process has not been started yet because too few signatures were
        asked of an on-demand helper (nothing is wrong: the loop keeps up)."""
        return self._demand_left is not None

    async def verify(self, key: VerifyingKey, signature: bytes, data: bytes) -> bool:
        """Whether ``signature`` (JWS form) over ``data`` is valid for ``key``."""
        if len(signature) > MAX_SIGNATURE:  # too long for the wire, and for any valid signature
            return False
        op, raw = self._wire_key(key.kid, key, private=False)
        try:
            (answer,) = await self._submit([(op, raw, signature, data)])
        except HelperGone:
            return key.verify(signature, data)
        return answer == VALID

    async def sign_many(self, key: SigningKey, inputs: Sequence[bytes]) -> list[bytes]:
        """Signatures (JWS form) of each of ``inputs`` with ``key``, in order."""
        if not inputs:
            return []
        op, raw = self._wire_key(key.kid, key, private=True)
        try:
            answers = await self._submit([(op, raw, b"", data) for data in inputs])
        except HelperGone:
            answers = [b""] * len(inputs)
        # An empty answer (helper could not use the key) is signed here instead.
        return [answer or key.sign(data) for answer, data in zip(answers, inputs, strict=True)]

    async def aclose(self) -> None:
        """Stop the helper; checks still pending fall back to the loop thread."""
        self._closed = True
        if self._restart_timer is not None:
            self._restart_timer.cancel()
        if self._starting is not None:
            await asyncio.gather(self._starting, return_exceptions=True)
        if self._transport is not None:
            self._transport.close()
        self._fail_all()
        if self._process is not None:
            process = self._process
            self._process = None
            try:
                await asyncio.wait_for(process.wait(), HELPER_EXIT_WAIT)
            except TimeoutError:
                process.kill()
                await process.wait()

    # -- internals ---------------------------------------------------------

    def _wire_key(
        self, kid: str, key: VerifyingKey | SigningKey, *, private: bool
    ) -> tuple[int, bytes]:
        cached = self._wire_keys.get((kid, private))
        if cached is None or cached[0] is not key:
            op, raw = _private_wire_form(key) if isinstance(key, SigningKey) else _wire_form(key)
            cached = (key, op, raw)
            self._wire_keys[(kid, private)] = cached
        return cached[1], cached[2]

    async def _submit(self, items: list[Item]) -> list[bytes]:
        """Queue ``items`` for this loop turn's batch; their answers, or HelperGone."""
        if self._transport is None:
            self._note_demand(len(items))
            raise HelperGone
        future: asyncio.Future[list[bytes]] = asyncio.get_running_loop().create_future()
        self._pending_items += items
        self._pending_waiters.append(_Waiter(future, len(items)))
        # One batch in flight at a time: under load the next batch fills while the
        # helper works, so a system call and a wake-up serve many items, not one.
        if not self._send_scheduled and not self._in_flight:
            self._send_scheduled = True
            asyncio.get_running_loop().call_soon(self._send)
        return await future

    def _send(self) -> None:
        self._send_scheduled = False
        items, self._pending_items = self._pending_items, []
        waiters, self._pending_waiters = self._pending_waiters, []
        if not waiters:
            return
        if self._transport is None:
            _fail(waiters)
            return
        try:
            frame = encode_batch(items)
        except struct.error:  # a field too long for the wire: this batch is done on the loop
            _fail(waiters)
            return
        self._in_flight.append(waiters)
        self._transport.write(frame)
        self._sent += 1
        # A helper that hangs (stopped, swapping) must not hang the hub's requests.
        asyncio.get_running_loop().call_later(
            ANSWER_TIMEOUT, self._check_answered, self._transport, self._sent
        )

    def _answered(self, body: bytes) -> None:
        waiters = self._in_flight.popleft() if self._in_flight else []
        try:
            answers = decode_answers(body)
        except ValueError:
            answers = []
        if len(answers) != sum(waiter.count for waiter in waiters):
            log.error("signature helper answered out of step; dropping it")
            _fail(waiters)
            if self._transport is not None:
                self._transport.abort()
            return
        self._answered_batches += 1
        start = 0
        for waiter in waiters:
            if not waiter.future.done():
                waiter.future.set_result(answers[start : start + waiter.count])
            start += waiter.count
        if self._pending_waiters and not self._send_scheduled:
            self._send()

    def _check_answered(self, transport: asyncio.Transport, serial: int) -> None:
        if transport is not self._transport or self._answered_batches >= serial:
            return
        log.error("signature helper gave no answer for %.0f s; replacing it", ANSWER_TIMEOUT)
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
        transport.abort()  # connection_lost: the waiting checks fall back to the loop

    def _lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._fail_all()
        if not self._closed:
            log.error("signature helper process ended (%s); checking on the event loop", exc)
            self._restart_later()

    def _fail_all(self) -> None:
        batches = [*self._in_flight, self._pending_waiters]
        self._in_flight.clear()
        self._pending_items, self._pending_waiters = [], []
        for waiters in batches:
            _fail(waiters)

    def _restart_later(self) -> None:
        """Start a new helper after the pause, whether or not messages arrive meanwhile."""
        loop = asyncio.get_running_loop()
        self._restart_timer = loop.call_later(RESTART_PAUSE, self._begin_restart)

    def _note_demand(self, items: int) -> None:
        """Count work done on the loop before an on-demand helper's first start."""
        if self._demand_left is None:
            return
        self._demand_left -= items
        if self._demand_left <= 0:
            self._demand_left = None
            self._begin_restart(first=True)

    def _begin_restart(self, *, first: bool = False) -> None:
        self._restart_timer = None
        if not self._closed and self._starting is None and self._transport is None:
            self._starting = asyncio.get_running_loop().create_task(self._restart(first))

    async def _restart(self, first: bool) -> None:
        try:
            await self._spawn()
            if first:
                log.info("signature helper process started: enough signatures to check")
            else:
                log.warning("signature helper process restarted")
        except OSError as exc:
            log.error("could not restart the signature helper: %s", exc)
            self._restart_later()
        finally:
            self._starting = None

    async def _spawn(self) -> None:
        ours, theirs = socket.socketpair()
        try:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "certhub.security.signature_worker",
                str(theirs.fileno()),
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_unix_connection(
                lambda: _HelperProtocol(self), sock=ours
            )
        except BaseException:  # no helper nobody can reach: stop the child, free the socket
            ours.close()
            with contextlib.suppress(ProcessLookupError):  # it may have ended already
                self._process.kill()
            await self._process.wait()
            self._process = None
            raise
        self._transport = transport
        self._sent = self._answered_batches = 0  # batches on this connection


class _HelperProtocol(asyncio.Protocol):
    def __init__(self, helper: SignatureHelper) -> None:
        self._helper = helper
        self._frames = FrameBuffer()

    def data_received(self, data: bytes) -> None:
        for body in self._frames.feed(data):
            self._helper._answered(body)

    def connection_lost(self, exc: Exception | None) -> None:
        self._helper._lost(exc)


def _fail(waiters: list[_Waiter]) -> None:
    """Tell each waiter the helper is gone (each then does its work on the loop)."""
    for waiter in waiters:
        if not waiter.future.done():
            waiter.future.set_exception(HelperGone())
            waiter.future.exception()  # the caller falls back; never "never retrieved"


def _wire_form(key: VerifyingKey) -> tuple[int, bytes]:
    public = key.public_key
    if isinstance(public, ed25519.Ed25519PublicKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return VERIFY_ED25519, raw
    point = public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return VERIFY_ES256, point


def _private_wire_form(key: SigningKey) -> tuple[int, bytes]:
    private = key.private_key
    if isinstance(private, ed25519.Ed25519PrivateKey):
        raw = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return SIGN_ED25519, raw
    return SIGN_ES256, private.private_numbers().private_value.to_bytes(32, "big")
