"""Evidence in the deployment's PostgreSQL database, where every hub process reaches it.

The folder vault (:class:`~certhub.hub.evidence.vault.EvidenceVault`) stays the
embedded default; with PostgreSQL as the ledger, evidence uploaded through one
process must be readable through every other, so the same sealed blobs
(:mod:`~certhub.hub.evidence.blob`: AES-256-GCM, bound to their digest) go
into ``evidence_blobs`` instead, under the deployment's evidence keys. The
checks are the folder vault's own (:func:`~certhub.hub.evidence.vault.check_upload`).
A blob that fails to open is replaced when the same bytes arrive again, as in
the folder vault; a blob written by a concurrent upload of the same bytes is
kept (the first insert wins, both answers name the same content).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final, Protocol

import asyncpg

from certhub.hub.evidence.blob import open_blob, seal
from certhub.hub.evidence.errors import (
    EvidenceCorrupt,
    EvidenceKeyError,
    EvidenceNotFound,
)
from certhub.hub.evidence.vault import EvidenceMeta, check_upload, is_digest
from certhub.hub.store.postgres.commit import DATABASE_ERRORS, pooled

__all__ = ["DatabaseEvidenceVault", "EvidenceDatabaseError", "SealingKeys"]

_INSERT: Final = (
    "INSERT INTO evidence_blobs (sha256, blob, stored_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (sha256) DO NOTHING"
)
_REPLACE: Final = "UPDATE evidence_blobs SET blob = $2, stored_at = $3 WHERE sha256 = $1"


class EvidenceDatabaseError(OSError):
    """The evidence database cannot be read or written now (an I/O failure: retry later)."""


class SealingKeys(Protocol):
    """The deployment's evidence keys: which one seals, and every one that opens."""

    @property
    def active_id(self) -> str:
        """Id of the key that seals new evidence."""
        ...

    def keys_by_id(self) -> Mapping[str, bytes]:
        """Every key that can open evidence, by id."""
        ...


class DatabaseEvidenceVault:
    """The evidence store of a deployment on PostgreSQL (same interface as the folder vault)."""

    def __init__(self, pool: asyncpg.Pool, keys: SealingKeys, *, max_bytes: int) -> None:
        """Use ``pool`` (schema migrated) and ``keys``; refuse uploads past ``max_bytes``."""
        self._pool = pool
        self._keys = keys
        self._max_bytes = max_bytes

    @classmethod
    async def open(cls, url: str, keys: SealingKeys, *, max_bytes: int) -> DatabaseEvidenceVault:
        """Connect to the ledger database at ``url`` (already migrated by the ledger).

        Raises:
            EvidenceDatabaseError: the database cannot be reached.
        """
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=4, timeout=10.0)
        except DATABASE_ERRORS as exc:
            raise EvidenceDatabaseError(f"cannot reach the evidence database: {exc}") from exc
        return cls(pool, keys, max_bytes=max_bytes)

    async def aclose(self) -> None:
        """Close the connections."""
        await self._pool.close()

    @property
    def max_bytes(self) -> int:
        """Largest accepted piece of evidence, in bytes."""
        return self._max_bytes

    async def put(
        self, data: bytes, *, declared_type: str, content_digest: str | None = None
    ) -> EvidenceMeta:
        """Check, seal and store ``data``; storing the same content again changes nothing.

        Raises:
            EvidenceRejected: as the folder vault; nothing is stored.
            EvidenceDatabaseError: the database cannot be written (retry later).
        """
        check = (data, declared_type, content_digest, self._max_bytes)
        digest, media_type = await asyncio.to_thread(check_upload, *check)
        stored = await self._fetch_blob(digest)
        if stored is not None:
            try:
                return self._open(digest, stored)[1]
            except EvidenceCorrupt:
                pass  # the same bytes arrived again: re-sealing them repairs the blob
        key_id = self._keys.active_id
        blob = await asyncio.to_thread(
            seal, data, digest=digest, media_type=media_type, key_id=key_id, key=self._key(key_id)
        )
        statement = _INSERT if stored is None else _REPLACE
        result = await self._execute(statement, digest, blob, time.time())
        if result.endswith(" 0"):  # a concurrent upload of the same bytes stored it first
            return self._open(digest, await self._fetch_blob(digest) or blob)[1]
        return EvidenceMeta(digest, media_type, len(data), key_id, created=True)

    async def get(self, digest: str) -> tuple[bytes, EvidenceMeta]:
        """The plaintext stored under ``digest`` and its meta (``created`` is ``False``).

        Raises:
            EvidenceNotFound: nothing is stored under ``digest``.
            EvidenceCorrupt: the blob fails authentication or its digest check.
        """
        blob = await self._fetch_blob(digest) if is_digest(digest) else None
        if blob is None:
            raise EvidenceNotFound(f"no evidence stored under {digest[:64]!r}")
        return await asyncio.to_thread(self._open, digest, blob)

    async def missing(self, digests: Iterable[str]) -> set[str]:
        """Those of ``digests`` that are not stored (malformed ones included)."""
        wanted = set(digests)
        valid = [d for d in wanted if is_digest(d)]
        rows = await self._fetch("SELECT sha256 FROM evidence_blobs WHERE sha256 = ANY($1)", valid)
        return wanted - {row[0] for row in rows}

    async def import_folder(self, directory: Path) -> int:
        """Copy a folder vault's sealed blobs (``<xx>/<digest>``) that are not stored yet.

        The blobs keep their seal: the folder's evidence keys were given to the
        deployment, so they open here as they did there. Returns how many were copied.
        Every process start calls this: only the blobs the database lacks are read.
        """
        paths = await asyncio.to_thread(_folder_blobs, directory)
        absent = await self.missing(path.name for path in paths)
        copied = 0
        for path in (path for path in paths if path.name in absent):
            blob = await asyncio.to_thread(path.read_bytes)
            result = await self._execute(_INSERT, path.name, blob, time.time())
            copied += 0 if result.endswith(" 0") else 1
        return copied

    def _open(self, digest: str, blob: bytes) -> tuple[bytes, EvidenceMeta]:
        header, plaintext = open_blob(blob, digest=digest, key_for=self._key)
        if hashlib.sha256(plaintext).hexdigest() != digest:
            raise EvidenceCorrupt("stored evidence does not match its SHA-256 address")
        meta = EvidenceMeta(digest, header.media_type, header.size, header.key_id, created=False)
        return plaintext, meta

    def _key(self, key_id: str) -> bytes:
        key = self._keys.keys_by_id().get(key_id)
        if key is None:
            raise EvidenceKeyError(f"the deployment has no evidence key {key_id!r}")
        return key

    async def _fetch_blob(self, digest: str) -> bytes | None:
        rows = await self._fetch("SELECT blob FROM evidence_blobs WHERE sha256 = $1", digest)
        return bytes(rows[0][0]) if rows else None

    async def _fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        async with pooled(
            self._pool, "read the evidence database", error=EvidenceDatabaseError
        ) as conn:
            return list(await conn.fetch(sql, *args))

    async def _execute(self, sql: str, *args: Any) -> str:
        async with pooled(
            self._pool, "write the evidence database", error=EvidenceDatabaseError
        ) as conn:
            return str(await conn.execute(sql, *args))


def _folder_blobs(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return [path for path in sorted(directory.glob("??/*")) if is_digest(path.name)]
