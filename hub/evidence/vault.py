"""Content-addressed, encrypted storage of evidence (ID images, on-site photos, certificates).

Each upload is checked by content (a decodable JPEG or PNG, an inert PDF),
addressed by the SHA-256 of its plaintext, sealed with AES-256-GCM under the
keyring's active key and written atomically to
``<directory>/<first two hex>/<digest>``. Reading decrypts with the key the
blob names and re-checks the digest, so a blob that changed on disk is never
served.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from certhub.hub.evidence.blob import open_blob, seal
from certhub.hub.evidence.content_check import check_content
from certhub.hub.evidence.errors import EvidenceCorrupt, EvidenceNotFound, EvidenceRejected
from certhub.hub.evidence.keys import EvidenceKeyring
from certhub.hub.evidence.sniff import sniff_media_type
from certhub.security import fsync_directory, replace_atomic

__all__ = ["EvidenceMeta", "EvidenceVault", "check_upload", "is_digest"]

log = logging.getLogger(__name__)

_DIGEST: Final = re.compile(r"^[0-9a-f]{64}$")
_LOCK_STRIPES: Final = 64


def is_digest(value: str) -> bool:
    """Tell whether ``value`` is a SHA-256 digest in canonical form (64 lowercase hex)."""
    return bool(_DIGEST.match(value))


@dataclass(frozen=True, slots=True)
class EvidenceMeta:
    """What the vault knows about one stored piece of evidence.

    Attributes:
        sha256: hex SHA-256 of the plaintext, the evidence's address.
        media_type: ``image/jpeg``, ``image/png`` or ``application/pdf``, from content.
        size: plaintext length in bytes.
        key_id: the evidence key the blob is sealed with.
        created: whether this call stored it (``False``: it was already there).
    """

    sha256: str
    media_type: str
    size: int
    key_id: str
    created: bool


def check_upload(
    data: bytes, declared_type: str, content_digest: str | None, max_bytes: int
) -> tuple[str, str]:
    """The SHA-256 hex and media type of an acceptable upload (every vault's one check).

    Raises:
        EvidenceRejected: see :meth:`EvidenceVault.put`.
    """
    if len(data) > max_bytes:
        raise EvidenceRejected("evidence-too-large", f"evidence may be at most {max_bytes} bytes")
    digest = hashlib.sha256(data).hexdigest()
    if content_digest is not None and content_digest.lower() != digest:
        raise EvidenceRejected(
            "digest-mismatch", "the body's SHA-256 differs from the Content-Digest sent"
        )
    media_type = sniff_media_type(data)
    if declared_type != media_type:
        raise EvidenceRejected(
            "evidence-type-mismatch",
            f"declared as {declared_type!r} but the content is {media_type}",
        )
    check_content(data, media_type)
    return digest, media_type


@dataclass(frozen=True, eq=False)  # a service: equal only to itself
class EvidenceVault:
    """The evidence store of one hub.

    Args:
        directory: root folder of the blobs (created 0700 on first write).
        keyring: the evidence keys; new blobs use its active key.
        max_bytes: largest accepted piece of evidence.
    """

    directory: Path
    keyring: EvidenceKeyring
    max_bytes: int = field(kw_only=True)
    # Writers of the same digest take the same lock, so "already stored?" and
    # "store it" happen as one step (threads: the work runs in to_thread).
    _locks: tuple[threading.Lock, ...] = field(
        default_factory=lambda: tuple(threading.Lock() for _ in range(_LOCK_STRIPES)),
        init=False,
        repr=False,
    )

    def path_of(self, digest: str) -> Path:
        """Where the blob of ``digest`` lives (whether or not it exists).

        Raises:
            ValueError: ``digest`` is not 64 lowercase hex characters.
        """
        if not is_digest(digest):
            raise ValueError("an evidence digest is 64 lowercase hex characters")
        return self.directory / digest[:2] / digest

    async def put(
        self, data: bytes, *, declared_type: str, content_digest: str | None = None
    ) -> EvidenceMeta:
        """Check, seal and store ``data``; storing the same content again changes nothing.

        Args:
            data: the whole upload.
            declared_type: the media type the client declared (``Content-Type``).
            content_digest: the client's SHA-256 hex of ``data``, if it sent one.

        Returns:
            the evidence's meta; ``created`` is ``False`` if it was already stored.

        Raises:
            EvidenceRejected: ``evidence-too-large``, ``digest-mismatch``,
                ``evidence-unsupported``, ``evidence-type-mismatch``, or any
                refusal of :func:`~certhub.hub.evidence.content_check.check_content`;
                nothing is stored.
        """
        return await asyncio.to_thread(self._put, data, declared_type, content_digest)

    async def get(self, digest: str) -> tuple[bytes, EvidenceMeta]:
        """The plaintext stored under ``digest`` and its meta (``created`` is ``False``).

        Raises:
            EvidenceNotFound: nothing is stored under ``digest``.
            EvidenceCorrupt: the blob fails authentication or its digest check.
        """
        return await asyncio.to_thread(self._get, digest)

    async def missing(self, digests: Iterable[str]) -> set[str]:
        """Those of ``digests`` that are not stored (malformed ones included).

        Only presence is checked; integrity is checked when the evidence is read.
        """
        wanted = set(digests)
        return await asyncio.to_thread(self._missing, wanted)

    def _put(self, data: bytes, declared_type: str, content_digest: str | None) -> EvidenceMeta:
        digest, media_type = check_upload(data, declared_type, content_digest, self.max_bytes)
        with self._lock_of(digest):
            existing = self._existing(digest)
            if existing is not None:
                return existing
            return self._store(data, digest, media_type)

    def _existing(self, digest: str) -> EvidenceMeta | None:
        try:
            _, meta = self._get(digest)
        except EvidenceNotFound:
            return None
        except EvidenceCorrupt as exc:
            # The same bytes arrived again: re-sealing them repairs the damaged blob.
            log.warning("replacing a corrupt evidence blob %s: %s", digest[:12], exc)
            return None
        return meta

    def _store(self, data: bytes, digest: str, media_type: str) -> EvidenceMeta:
        key_id = self.keyring.active_id
        blob = seal(
            data, digest=digest, media_type=media_type, key_id=key_id,
            key=self.keyring.key(key_id),
        )  # fmt: skip
        path = self.path_of(digest)
        if not path.parent.is_dir():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fsync_directory(path.parent.parent)
        replace_atomic(path, blob, mode=0o600)
        return EvidenceMeta(digest, media_type, len(data), key_id, created=True)

    def _get(self, digest: str) -> tuple[bytes, EvidenceMeta]:
        try:
            blob = self.path_of(digest).read_bytes()
        except (ValueError, FileNotFoundError):
            raise EvidenceNotFound(f"no evidence stored under {digest[:64]!r}") from None
        header, plaintext = open_blob(blob, digest=digest, key_for=self.keyring.key)
        if hashlib.sha256(plaintext).hexdigest() != digest:
            raise EvidenceCorrupt("stored evidence does not match its SHA-256 address")
        meta = EvidenceMeta(digest, header.media_type, header.size, header.key_id, created=False)
        return plaintext, meta

    def _missing(self, digests: set[str]) -> set[str]:
        return {d for d in digests if not is_digest(d) or not self.path_of(d).is_file()}

    def _lock_of(self, digest: str) -> threading.Lock:
        return self._locks[int(digest[:4], 16) % _LOCK_STRIPES]
