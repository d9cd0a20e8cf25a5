"""Where a JPEG, PNG or PDF ends, found by walking its structure rather than trusting markers.

A file that merely starts and ends with the right bytes can hold anything in
between (an executable, an HTML page) or after its real end (a ZIP archive:
a polyglot that unzips as well as it displays). These walkers follow each
format's own framing — JPEG marker segments and entropy-coded scans, PNG
chunks with their CRCs — to the byte where the image ends, so the caller can
refuse whatever follows. They only read: every step moves forward, so each
walk is linear in the size of the upload.
"""

from __future__ import annotations

import re
import zlib
from typing import Final

from certhub.hub.evidence.errors import EvidenceRejected

__all__ = ["jpeg_end", "pdf_end", "png_end", "refuse_truncated", "refuse_undecodable"]

_EOI: Final = 0xD9
_SOI: Final = 0xD8
_SOS: Final = 0xDA
_RESTARTS: Final = range(0xD0, 0xD8)
_TEM: Final = 0x01
_FIRST_MARKER: Final = 0xC0  # markers below (other than TEM) are reserved: never in a JPEG
_PNG_SIGNATURE_BYTES: Final = 8
_PNG_CRITICAL: Final = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND"})
_PNG_MAX_LENGTH: Final = 2**31 - 1  # PNG §5.3: a chunk length fits in 31 bits
_PDF_EOF: Final = b"%%EOF"
_PDF_REVISION_END: Final = re.compile(rb"startxref\s+\d+\s*%%EOF")
_PDF_UPDATE_START: Final = re.compile(rb"\s*(?:xref|\d+\s+\d+\s+obj)")
_PDF_END_PADDING: Final = b" \t\r\n\x0c\x00"  # end-of-line and padding writers leave after %%EOF


def refuse_truncated(detail: str) -> EvidenceRejected:
    """The refusal of a file that ends before its format says it does."""
    return EvidenceRejected("evidence-truncated", detail)


def refuse_undecodable(detail: str) -> EvidenceRejected:
    """The refusal of a file whose bytes are not the format its signature claims."""
    return EvidenceRejected("evidence-not-decodable", detail)


def jpeg_end(data: bytes, *, max_scans: int) -> int:
    """The offset just past the end-of-image marker of the JPEG at the start of ``data``.

    A progressive JPEG is decoded once per scan over every block of the image,
    so a few bytes per scan buy a whole pass: thousands of scans of a large
    image cost minutes of a core (a decompression bomb the pixel limit alone
    cannot see). The walk counts them before any is decoded.

    Raises:
        EvidenceRejected: ``evidence-truncated`` when the data ends before the
            end-of-image marker, ``evidence-not-decodable`` when bytes stand
            where a marker must be, or a marker is invalid,
            ``evidence-too-many-pixels`` past ``max_scans`` scans.
    """
    at, scans = 2, 0  # past SOI, which the sniffer has seen
    while True:
        if at >= len(data):
            raise refuse_truncated("the JPEG ends before its end-of-image marker (FF D9)")
        if data[at] != 0xFF:
            raise refuse_undecodable(f"byte {at} of the JPEG is not a marker")
        while at < len(data) and data[at] == 0xFF:  # FF fill bytes may precede a marker
            at += 1
        if at >= len(data):
            raise refuse_truncated("the JPEG ends inside a marker")
        marker, at = data[at], at + 1
        if marker == _EOI:
            return at
        if marker in _RESTARTS or marker == _TEM:
            continue  # stand-alone markers carry no length
        if marker < _FIRST_MARKER or marker == _SOI:
            raise refuse_undecodable(f"the JPEG has an invalid marker FF {marker:02X}")
        at = _segment_end(data, at)
        if marker == _SOS:
            scans += 1
            if scans > max_scans:
                raise EvidenceRejected(
                    "evidence-too-many-pixels",
                    f"the JPEG is coded in more than {max_scans} scans, each a pass over "
                    "all its pixels; a photo needs at most a few dozen",
                )
            at = _scan_end(data, at)


def _segment_end(data: bytes, at: int) -> int:
    """The offset past the segment whose 2-byte length field starts at ``at``."""
    if at + 2 > len(data):
        raise refuse_truncated("the JPEG ends inside a segment length")
    length = int.from_bytes(data[at : at + 2], "big")
    if length < 2:  # the length counts its own two bytes
        raise refuse_undecodable(f"a JPEG segment declares length {length}")
    if at + length > len(data):
        raise refuse_truncated("the JPEG ends inside a segment")
    return at + length


def _scan_end(data: bytes, at: int) -> int:
    """The offset of the marker that ends the entropy-coded data starting at ``at``.

    Inside a scan, FF is followed by 00 (a stuffed data byte) or a restart
    marker; any other FF starts the next marker.
    """
    while True:
        at = data.find(b"\xff", at)
        if at < 0 or at + 1 >= len(data):
            raise refuse_truncated("the JPEG ends inside its image data")
        following = data[at + 1]
        if following != 0x00 and following not in _RESTARTS:
            return at
        at += 2


def png_end(data: bytes) -> int:
    """The offset just past the IEND chunk of the PNG at the start of ``data``.

    Every chunk's type must be four ASCII letters, its CRC must match, the
    first must be IHDR, and a critical chunk (upper-case first letter) must be
    one PNG defines: a decoder may not skip an unknown one (PNG §5.4).

    Raises:
        EvidenceRejected: ``evidence-truncated`` when the data ends before
            IEND, ``evidence-not-decodable`` for any other framing error.
    """
    view = memoryview(data)
    at = _PNG_SIGNATURE_BYTES
    while True:
        if at + 8 > len(data):
            raise refuse_truncated("the PNG ends before its IEND chunk")
        length = int.from_bytes(data[at : at + 4], "big")
        kind = bytes(data[at + 4 : at + 8])
        _check_chunk_kind(kind, first=at == _PNG_SIGNATURE_BYTES)
        if length > _PNG_MAX_LENGTH:
            raise refuse_undecodable(f"a PNG {kind!r} chunk declares length {length}")
        end = at + 12 + length
        if end > len(data):
            raise refuse_truncated(f"the PNG ends inside its {kind.decode()} chunk")
        if zlib.crc32(view[at + 4 : end - 4]) != int.from_bytes(data[end - 4 : end], "big"):
            raise refuse_undecodable(f"the PNG's {kind.decode()} chunk fails its CRC")
        at = end
        if kind == b"IEND":
            return at


def _check_chunk_kind(kind: bytes, *, first: bool) -> None:
    if not kind.isalpha():
        raise refuse_undecodable("a PNG chunk type is not four ASCII letters")
    if first and kind != b"IHDR":
        raise refuse_undecodable("the PNG's first chunk is not IHDR")
    if kind[:1].isupper() and kind not in _PNG_CRITICAL:
        raise refuse_undecodable(f"the PNG has an unknown critical chunk {kind.decode()}")


def pdf_end(data: bytes) -> int:
    """The offset just past the ``%%EOF`` that ends the PDF's last revision.

    A PDF is one or more revisions (an original and its incremental updates),
    each closed by ``startxref N %%EOF``; an update starts with an object or a
    cross-reference section. Whatever follows a revision and starts neither —
    a ZIP archive, an HTML page, even one that ends in a forged ``startxref``
    — is where the PDF ends and trailing data begins.

    Raises:
        EvidenceRejected: ``evidence-truncated`` when there is no ``%%EOF``,
            ``evidence-not-decodable`` when no ``startxref`` precedes it.
    """
    if _PDF_EOF not in data:
        raise refuse_truncated("the PDF has no %%EOF marker")
    end = 0
    for closing in _PDF_REVISION_END.finditer(data):
        if end and not _PDF_UPDATE_START.match(data, end):
            return end  # what follows this revision is no update: trailing data
        end = closing.end()
    if not end:
        raise refuse_undecodable("the PDF has no startxref before its %%EOF")
    return len(data) if not data[end:].strip(_PDF_END_PADDING) else end
