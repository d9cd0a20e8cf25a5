"""Media type of an upload from its magic bytes, never from what the client declares.

Only three kinds of evidence exist: JPEG photos, PNG scans and PDF documents,
each recognised here by its leading signature. Anything else — an executable,
an archive, an HTML page — is unsupported. The signature only says what the
file claims to be: :mod:`certhub.hub.evidence.content_check` then proves it, by
walking the file's structure and decoding it with a real decoder.
"""

from __future__ import annotations

from typing import Final

from certhub.hub.evidence.errors import EvidenceRejected

__all__ = ["JPEG", "MEDIA_TYPES", "PDF", "PNG", "sniff_media_type"]

JPEG: Final = "image/jpeg"
PNG: Final = "image/png"
PDF: Final = "application/pdf"
MEDIA_TYPES: Final = frozenset({JPEG, PNG, PDF})

_SIGNATURES: Final = {
    b"\xff\xd8\xff": JPEG,  # SOI and the first byte of the next marker
    b"\x89PNG\r\n\x1a\n": PNG,
    b"%PDF-": PDF,
}


def sniff_media_type(data: bytes) -> str:
    """The media type ``data`` claims by its signature: JPEG, PNG or PDF.

    Raises:
        EvidenceRejected: ``evidence-unsupported`` when the content starts like
            none of the three, ``evidence-truncated`` when it ends inside a
            signature.
    """
    for signature, media_type in _SIGNATURES.items():
        if data.startswith(signature):
            return media_type
    if data and any(signature.startswith(data) for signature in _SIGNATURES):
        raise EvidenceRejected("evidence-truncated", "the upload ends inside a file signature")
    raise EvidenceRejected(
        "evidence-unsupported", "evidence must be a JPEG, PNG or PDF file (checked by content)"
    )
