"""Signing the comparison's messages by the thousand: on this core, or in worker processes.

Each certification is its own JWS, signed with the comparison's adapter key
by :func:`certhub.security.sign_compact` — the very function the inbound
path uses, so a message signed here is byte for byte the one the inbound
path would make (Ed25519 is deterministic). Signing is the largest piece of
CPU per record (≈ 50–100 µs), so with ``workers`` > 0 a batch is split over
that many worker processes (their own interpreters: no GIL hand-over per
signature), each loading the key from its 0600 file once; the caller keeps
working on the previous batch meanwhile. ``bench/comparison.py
--ledger-only --sign-workers`` measures which helps on a machine.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from certhub.security import SigningKey, read_private_key, sign_compact

__all__ = ["BatchSigner", "Header"]

_worker_key: SigningKey | None = None  # a worker process's key, loaded once


@dataclass(frozen=True, slots=True)
class Header:
    """What every message of a batch shares: type, sender and issue time."""

    typ: str
    sender: str
    iat: int


def _load_key(path: str) -> None:
    global _worker_key  # noqa: PLW0603 - one key per worker process, loaded at its start
    _worker_key = read_private_key(Path(path))


def _sign(key: SigningKey, header: Header, items: Sequence[tuple[bytes, str]]) -> list[bytes]:
    return [
        sign_compact(
            payload, key=key, typ=header.typ, sender=header.sender, jti=jti, iat=header.iat
        )
        for payload, jti in items
    ]


def _sign_in_worker(header: Header, items: Sequence[tuple[bytes, str]]) -> list[bytes]:
    assert _worker_key is not None  # noqa: S101 - set by the pool's initializer
    return _sign(_worker_key, header, items)


class BatchSigner:
    """Signs (payload, message id) pairs with one adapter key, in order."""

    def __init__(self, key: SigningKey, key_path: Path, workers: int = 0) -> None:
        """Sign with ``key`` here (``workers`` 0), or in ``workers`` processes reading
        ``key_path``."""
        self._key = key
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0:
            self._pool = ProcessPoolExecutor(
                max_workers=workers,
                # spawn, not fork: the hub's threads (ledger, readers) must not be copied
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_load_key,
                initargs=(str(key_path),),
            )

    async def sign(self, header: Header, items: Sequence[tuple[bytes, str]]) -> list[bytes]:
        """The compact JWS of each item, in order."""
        if self._pool is None or not items:
            return _sign(self._key, header, items)
        loop = asyncio.get_running_loop()
        size = -(-len(items) // self._workers)
        parts = [
            loop.run_in_executor(self._pool, _sign_in_worker, header, items[i : i + size])
            for i in range(0, len(items), size)
        ]
        return [token for part in await asyncio.gather(*parts) for token in part]

    def close(self) -> None:
        """Stop the worker processes (if any)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
