"""Read the SHA-256 member of an RFC 9530 ``Content-Digest`` header (``sha-256=:BASE64:``)."""

from __future__ import annotations

import base64
import binascii
from typing import Final

from certhub.hub.evidence.errors import EvidenceRejected

__all__ = ["parse_content_digest"]

_SHA256_BYTES: Final = 32


def parse_content_digest(header: str) -> str:
    """The hex SHA-256 a ``Content-Digest`` field value claims.

    The value is a structured-field dictionary (RFC 8941); members other than
    ``sha-256`` are ignored, and parameters (``;…``) are dropped.

    Raises:
        EvidenceRejected: ``digest-mismatch`` when the header is malformed or
            has no ``sha-256`` member (the hub cannot check other algorithms).
    """
    claimed: str | None = None
    for member in header.split(","):
        name, equals, value = member.strip().partition("=")
        if not equals:
            raise _malformed(f"member {name[:20]!r} has no value")
        if name.strip() == "sha-256":
            claimed = _sha256_hex(value.split(";", 1)[0].strip())
    if claimed is None:
        raise _malformed("it has no sha-256 member")
    return claimed


def _sha256_hex(value: str) -> str:
    if len(value) < 2 or not (value.startswith(":") and value.endswith(":")):
        raise _malformed("sha-256 must be a byte sequence, :BASE64:")
    try:
        raw = base64.b64decode(value[1:-1], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _malformed("sha-256 is not base64") from exc
    if len(raw) != _SHA256_BYTES:
        raise _malformed(f"sha-256 holds {len(raw)} bytes, not {_SHA256_BYTES}")
    return raw.hex()


def _malformed(why: str) -> EvidenceRejected:
    return EvidenceRejected("digest-mismatch", f"Content-Digest is malformed: {why}")
