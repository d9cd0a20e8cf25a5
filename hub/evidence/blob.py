"""The on-disk form of one piece of evidence: a self-describing header and AES-256-GCM ciphertext.

Layout (integers big-endian)::

    b"CHEV1"                 magic and format version
    u8  len | key id         ASCII, names the key in the keyring
    12 bytes                 random GCM nonce
    u8  len | media type     ASCII, e.g. image/png
    u64                      plaintext length
    ciphertext + 16-byte tag

The associated data is the header followed by the SHA-256 hex digest the blob
is stored under, so a blob moved to another address, or an edited header
(media type, key id, length), fails authentication like edited ciphertext does.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from certhub.hub.evidence.errors import EvidenceCorrupt, EvidenceKeyError

__all__ = ["MAGIC", "SealedHeader", "open_blob", "seal"]

MAGIC: Final = b"CHEV1"
NONCE_BYTES: Final = 12
TAG_BYTES: Final = 16
_LENGTH: Final = struct.Struct(">Q")


@dataclass(frozen=True, slots=True)
class SealedHeader:
    """What a blob's header says about its content."""

    key_id: str
    nonce: bytes
    media_type: str
    size: int

    def encode(self) -> bytes:
        """The header bytes, as written before the ciphertext."""
        key_id, media_type = self.key_id.encode("ascii"), self.media_type.encode("ascii")
        return b"".join((
            MAGIC,
            bytes([len(key_id)]), key_id,
            self.nonce,
            bytes([len(media_type)]), media_type,
            _LENGTH.pack(self.size),
        ))  # fmt: skip

    @classmethod
    def decode(cls, blob: bytes) -> tuple[SealedHeader, int]:
        """Parse the header at the start of ``blob``; return it and where the ciphertext starts.

        Raises:
            EvidenceCorrupt: not a CHEV1 blob, or the header is cut short.
        """
        if not blob.startswith(MAGIC):
            raise EvidenceCorrupt("stored blob does not start with the CHEV1 magic")
        try:
            key_id, at = _short_string(blob, len(MAGIC))
            nonce, at = blob[at : at + NONCE_BYTES], at + NONCE_BYTES
            media_type, at = _short_string(blob, at)
            (size,) = _LENGTH.unpack_from(blob, at)
        except (IndexError, struct.error, UnicodeDecodeError) as exc:
            raise EvidenceCorrupt(f"stored blob has a damaged header: {exc}") from exc
        return cls(key_id, nonce, media_type, size), at + _LENGTH.size


def _short_string(blob: bytes, at: int) -> tuple[str, int]:
    length = blob[at]
    end = at + 1 + length
    if end > len(blob):
        raise IndexError("string runs past the end of the blob")
    return blob[at + 1 : end].decode("ascii"), end


def seal(plaintext: bytes, *, digest: str, media_type: str, key_id: str, key: bytes) -> bytes:
    """Encrypt ``plaintext`` under ``key`` with a fresh random nonce; return the whole blob."""
    header = SealedHeader(key_id, os.urandom(NONCE_BYTES), media_type, len(plaintext))
    encoded = header.encode()
    return encoded + AESGCM(key).encrypt(header.nonce, plaintext, encoded + digest.encode())


def open_blob(
    blob: bytes, *, digest: str, key_for: Callable[[str], bytes]
) -> tuple[SealedHeader, bytes]:
    """Decrypt a blob stored under ``digest``; ``key_for`` maps the header's key id to its key.

    Raises:
        EvidenceCorrupt: damaged header, wrong length, unknown key id, or the
            GCM tag does not verify.
    """
    header, start = SealedHeader.decode(blob)
    if len(blob) - start != header.size + TAG_BYTES:
        raise EvidenceCorrupt(
            f"stored blob holds {len(blob) - start} ciphertext bytes, header says {header.size}"
        )
    try:
        key = key_for(header.key_id)
    except EvidenceKeyError as exc:
        raise EvidenceCorrupt(f"stored blob names a key that cannot be used: {exc}") from exc
    try:
        plaintext = AESGCM(key).decrypt(header.nonce, blob[start:], blob[:start] + digest.encode())
    except InvalidTag as exc:
        raise EvidenceCorrupt("stored blob fails authentication (tampered or wrong key)") from exc
    return header, plaintext
