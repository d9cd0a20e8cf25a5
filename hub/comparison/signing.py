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
from typing import Any, Final, TypeVar

from certhub.security import (
    MalformedMessage,
    SigningKey,
    read_private_key,
    sign_compact,
)

__all__ = ["BatchSigner", "Header", "sign_batch"]

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


class BatchSigner:
    """Runs work that needs one adapter key (signing by the thousand) here or in workers."""

    def __init__(
        self, key: SigningKey, key_path: Path, workers: int = 0, preload: str | None = None
    ) -> None:
        """Sign with ``key`` here (``workers`` 0), or in ``workers`` processes reading
        ``key_path``; those start now, importing the module ``preload`` (the work's), so
        that their start (a fresh interpreter and its imports, ≈ 0.5 s) overlaps what the
        caller does before its first :meth:`map`."""
        self._key = key
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._starting: list[Future[None]] = []
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

    async def map(
        self, work: Callable[..., list[T]], args: tuple[Any, ...], items: Sequence[Any]
    ) -> list[T]:
        """``work(key, *args, part)`` over ``items`` in one part per worker (here: one part),
        the answers joined in order. ``work`` is a module-level function (a worker finds it
        by name), and what goes in and out is pickled: plain values are cheapest. While the
        workers are still starting, the work runs here (rather than wait for them idle)."""
        if self._pool is None or not items or not all(f.done() for f in self._starting):
            return work(self._key, *args, items)
        loop = asyncio.get_running_loop()
        size = -(-len(items) // self._workers)
        parts = [
            loop.run_in_executor(self._pool, _in_worker, work, args, items[i : i + size])
            for i in range(0, len(items), size)
        ]
        return [answer for part in await asyncio.gather(*parts) for answer in part]

    def close(self) -> None:
        """Stop the worker processes (if any)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
