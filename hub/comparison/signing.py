"""Signing the comparison's messages by the thousand: on this core, or in worker processes.

Each certification is its own JWS, signed with the comparison's adapter key
by :func:`certhub.security.sign_compact` — the very function the inbound
path uses, so a message signed here is byte for byte the one the inbound
path would make (Ed25519 is deterministic). With ``workers`` > 0 a batch is
split over that many worker processes (their own interpreters: no GIL
hand-over per signature), each loading the key from its 0600 file once, and
what runs there is whatever needs the key and no ledger
(:meth:`BatchSigner.map`: the comparison validates, serialises, signs and
writes out its rows there, :mod:`certhub.hub.comparison.bulk_rows`); the
caller keeps working on the previous batch meanwhile. ``bench/comparison.py
--ledger-only --sign-workers`` measures which helps on a machine.
"""

from __future__ import annotations

import asyncio
import binascii
import gc
import importlib
import json
import multiprocessing
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from certhub.security import (
    MalformedMessage,
    SigningKey,
    read_private_key,
    sign_compact,
)

__all__ = ["PART", "BatchSigner", "Header", "Queued", "sign_batch"]

T = TypeVar("T")

_worker_key: SigningKey | None = None  # a worker process's key, loaded once
_worker_frozen = False  # whether the worker's modules are out of the collector's way yet


@dataclass(frozen=True, slots=True)
class Header:
    """What every message of a batch shares: type, sender and issue time."""

    typ: str
    sender: str
    iat: int


def _load_key(path: str) -> None:
    global _worker_key  # noqa: PLW0603 - one key per worker process, loaded at its start
    _worker_key = read_private_key(Path(path))


def sign_batch(key: SigningKey, header: Header, items: Sequence[tuple[bytes, str]]) -> list[bytes]:
    """Each (payload, message id)'s JWS: the first by :func:`sign_compact`, the others from
    its header's template when that gives the first one's very bytes (see
    :class:`_HeaderTemplate`)."""
    if not items:
        return []
    payload, jti = items[0]
    first = sign_compact(
        payload, key=key, typ=header.typ, sender=header.sender, jti=jti, iat=header.iat
    )
    template = _HeaderTemplate.of(key, header)
    if key.alg != "EdDSA" or template.sign(key, payload, jti) != first:
        # ES256 signatures are randomised (no byte check possible), or the template is wrong
        return [first] + [
            sign_compact(p, key=key, typ=header.typ, sender=header.sender, jti=j, iat=header.iat)
            for p, j in items[1:]
        ]
    return [first] + [template.sign(key, p, j) for p, j in items[1:]]


_sign = sign_batch  # the name the guards' tests know


def _compact(value: object) -> str:
    """JSON as the JWS header is written (compact, UTF-8 kept); a mismatch shows in the check."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_MESSAGE_ID: Final = re.compile(r"[A-Za-z0-9_.:-]{1,128}")  # what sign_compact allows as jti


@dataclass(frozen=True, slots=True)
class _HeaderTemplate:
    """A batch's protected header as text around its message id.

    Every message of a batch has the same header but for ``jti`` (type, sender,
    issue time, key), which :func:`sign_compact` checks once for the batch's
    first message; the others' headers are that text with their own id put in
    — an id needs no JSON escaping, because only ``[A-Za-z0-9_.:-]`` passes.
    Building, checking and serialising the header dict per message cost about
    as much as a fifth of the signature.
    """

    before: str
    after: str

    @classmethod
    def of(cls, key: SigningKey, header: Header) -> _HeaderTemplate:
        """The template of ``header`` signed by ``key`` (members in sign_compact's order)."""
        mark = "\x00jti\x00"
        members = {"alg": key.alg, "kid": key.kid, "typ": header.typ, "iat": header.iat}
        text = _compact({**members, "jti": mark, "iss": header.sender})
        before, _, after = text.partition(_compact(mark))
        return cls(before, after)

    def sign(self, key: SigningKey, payload: bytes, jti: str) -> bytes:
        """The compact JWS of ``payload`` under this header with ``jti``."""
        if not _MESSAGE_ID.fullmatch(jti):  # sign_compact refuses it with its own error
            raise MalformedMessage("header jti must match [A-Za-z0-9_.:-]{1,128}")
        header = _b64url(f'{self.before}"{jti}"{self.after}'.encode())
        signing_input = header + b"." + _b64url(payload)
        return signing_input + b"." + _b64url(key.sign(signing_input))


_TO_URLSAFE: Final = bytes.maketrans(b"+/", b"-_")


def _b64url(data: bytes) -> bytes:
    """:func:`~certhub.security.b64url_encode` as bytes, without its detour through ``str``
    (three a message; each batch's first is made by sign_compact itself and compared)."""
    return binascii.b2a_base64(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=")


def _freeze() -> None:
    global _worker_frozen  # noqa: PLW0603 - once per worker process
    if not _worker_frozen:
        # Every module the work needs is imported by now: the collector's full passes
        # need not walk them again for each batch's garbage.
        gc.freeze()
        _worker_frozen = True


def _warm(module: str) -> None:
    """Import ``module`` (the work's) in a worker as it starts, before any work arrives."""
    importlib.import_module(module)
    _freeze()


def _in_worker(work: Callable[..., list[T]], args: tuple[Any, ...], part: Sequence[Any]) -> list[T]:
    assert _worker_key is not None  # noqa: S101 - set by the pool's initializer
    _freeze()  # unpickling ``work`` imported its module
    return work(_worker_key, *args, part)


PART: Final = 512
"""Items a worker takes at a time: a batch of 4,096 is 8 parts, which the caller shares."""


@dataclass(frozen=True, slots=True)
class Queued(Generic[T]):
    """Work on its way: its parts, each queued for a worker or (None) to be done here."""

    key: SigningKey
    work: Callable[..., list[T]]
    args: tuple[Any, ...]
    parts: list[Sequence[Any]]
    queued: list[Future[list[T]] | None]

    async def result(self) -> list[T]:
        """The answers, in order. The parts no worker has taken yet when they are due are
        done here instead (their queued calls cancelled), from the last one back — the
        workers take them from the first on: the caller would only wait for them, so when
        the workers are the slower side it shares their work rather than sit idle."""
        answers: list[list[T] | None] = [None] * len(self.parts)
        for n in reversed(range(len(self.parts))):
            queued = self.queued[n]
            if queued is None or queued.cancel():
                answers[n] = self.work(self.key, *self.args, self.parts[n])
        done: list[T] = []
        for queued, here in zip(self.queued, answers, strict=True):
            if here is not None:
                done += here
            else:
                assert queued is not None  # noqa: S101 - a part not done here is queued
                there: list[T] = await asyncio.wrap_future(queued)
                done += there
        return done

    def cancel(self) -> None:
        """Cancel the parts no worker has taken (a failure: nobody wants the answers)."""
        for queued in self.queued:
            if queued is not None:
                queued.cancel()


class BatchSigner:
    """Runs work that needs one adapter key (signing by the thousand) here or in workers."""

    def __init__(
        self, key: SigningKey, key_path: Path, workers: int = 0, preload: str | None = None
    ) -> None:
        """Sign with ``key`` here (``workers`` 0), or in ``workers`` processes reading
        ``key_path``; those start now, importing the module ``preload`` (the work's), so
        that their start (a fresh interpreter and its imports, ≈ 0.5 s) overlaps what the
        caller does before its first :meth:`submit`."""
        self._key = key
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._starting: list[Future[None]] = []
        self._kept = False  # whether a submission was kept here while the workers started
        if workers > 0:
            self._pool = ProcessPoolExecutor(
                max_workers=workers,
                # spawn, not fork: the hub's threads (ledger, readers) must not be copied
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_load_key,
                initargs=(str(key_path),),
            )
            if preload is not None:  # a process per call while none is idle: all start now
                self._starting = [self._pool.submit(_warm, preload) for _ in range(workers)]

    @property
    def workers(self) -> int:
        """The worker processes (0: the work runs in the caller's process)."""
        return self._workers

    def submit(
        self, work: Callable[..., list[T]], args: tuple[Any, ...], items: Sequence[Any]
    ) -> Queued[T]:
        """``work(key, *args, part)`` over ``items``, queued for the workers in parts of
        :data:`PART` items (without workers, or the first submission while they start:
        then :meth:`Queued.result` does it all here). ``work`` is a module-level function (a worker
        finds it by name), and what goes in and out is pickled: plain values are cheapest."""
        parts = [items[i : i + PART] for i in range(0, len(items), PART)]
        starting = not all(f.done() for f in self._starting)
        if self._pool is None or (starting and not self._kept):
            self._kept = self._pool is not None  # the first while they start; later ones wait
            return Queued(self._key, work, args, parts, [None] * len(parts))
        queued = [self._pool.submit(_in_worker, work, args, part) for part in parts]
        return Queued(self._key, work, args, parts, list(queued))

    async def map(
        self, work: Callable[..., list[T]], args: tuple[Any, ...], items: Sequence[Any]
    ) -> list[T]:
        """:meth:`submit`'s answers, in order."""
        return await self.submit(work, args, items).result()

    def close(self) -> None:
        """Stop the worker processes (if any)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
