"""Media type of an upload from its magic bytes, never from what the client declares.

Only three kinds of evidence exist: JPEG photos, PNG scans and PDF documents.
Each is recognised by its signature *and* its end marker, so an upload cut
short in transit is told apart from a complete file. Anything else — an
executable, an archive, an HTML page — is unsupported.
"""

from __future__ import annotations

from typing import Final

from hub.evidence.errors import EvidenceRejected

__all__ = ["JPEG", "MEDIA_TYPES", "PDF", "PNG", "sniff_media_type"]

JPEG: Final = "image/jpeg"
PNG: Final = "image/png"
PDF: Final = "application/pdf"
MEDIA_TYPES: Final = frozenset({JPEG, PNG, PDF})

_JPEG_SOI: Final = b"\xff\xd8\xff"
_JPEG_EOI: Final = b"\xff\xd9"
_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_PNG_IHDR: Final = b"\x00\x00\x00\x0dIHDR"  # length 13, type IHDR
_PNG_IEND: Final = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # length 0, type, CRC
_PDF_HEADER: Final = b"%PDF-"
_PDF_EOF: Final = b"%%EOF"
_PDF_TRAILER_WINDOW: Final = 1024
_SIGNATURES: Final = (_JPEG_SOI, _PNG_SIGNATURE, _PDF_HEADER)


def sniff_media_type(data: bytes) -> str:
    """The media type of ``data``: ``image/jpeg``, ``image/png`` or ``application/pdf``.

    Raises:
        EvidenceRejected: ``evidence-unsupported`` when the content is none of
            the three, ``evidence-truncated`` when it starts like one of them
            but its end marker is missing.
    """
    if data.startswith(_JPEG_SOI):
        return _jpeg(data)
    if data.startswith(_PNG_SIGNATURE):
        return _png(data)
    if data.startswith(_PDF_HEADER):
        return _pdf(data)
    if data and any(signature.startswith(data) for signature in _SIGNATURES):
        raise _truncated("the upload ends inside a file signature")
    raise EvidenceRejected(
        "evidence-unsupported", "evidence must be a JPEG, PNG or PDF file (checked by content)"
    )


def _jpeg(data: bytes) -> str:
    # SOI + EOI is five bytes at least; a shorter one ends inside its own marker.
    if len(data) < len(_JPEG_SOI) + len(_JPEG_EOI) or not data.endswith(_JPEG_EOI):
        raise _truncated("the JPEG does not end with its end-of-image marker (FF D9)")
    return JPEG


def _png(data: bytes) -> str:
    first_chunk = data[len(_PNG_SIGNATURE) : len(_PNG_SIGNATURE) + len(_PNG_IHDR)]
    if _PNG_IHDR.startswith(first_chunk) and len(first_chunk) < len(_PNG_IHDR):
        raise _truncated("the PNG ends before its IHDR chunk")
    if first_chunk != _PNG_IHDR:
        raise EvidenceRejected("evidence-unsupported", "the PNG's first chunk is not IHDR")
    if len(data) < len(_PNG_SIGNATURE) + 25 + len(_PNG_IEND) or not data.endswith(_PNG_IEND):
        raise _truncated("the PNG does not end with its IEND chunk")
    return PNG


def _pdf(data: bytes) -> str:
    if _PDF_EOF not in data[-_PDF_TRAILER_WINDOW:]:
        raise _truncated("the PDF has no %%EOF marker in its last 1024 bytes")
    return PDF


def _truncated(detail: str) -> EvidenceRejected:
    return EvidenceRejected("evidence-truncated", detail)
