"""Small, real evidence files built as bytes: a decodable JPEG, PNG and PDF."""

from __future__ import annotations

import struct
import zlib


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def jpeg(note: str = "on-site photo") -> bytes:
    """A 1×1 grey baseline JPEG (JFIF) with ``note`` in a comment segment."""
    jfif = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    quant = b"\x00" + b"\x01" * 64
    frame = b"\x08\x00\x01\x00\x01\x01\x01\x11\x00"  # 8-bit, 1×1, one component
    one_code = b"\x01" + b"\x00" * 15 + b"\x00"  # one 1-bit code for symbol 0
    scan = b"\x01\x01\x00\x00\x3f\x00"
    return b"".join((
        b"\xff\xd8",
        _segment(0xE0, jfif),
        _segment(0xFE, note.encode()),
        _segment(0xDB, quant),
        _segment(0xC0, frame),
        _segment(0xC4, b"\x00" + one_code),  # DC table 0: diff 0
        _segment(0xC4, b"\x10" + one_code),  # AC table 0: end of block
        _segment(0xDA, scan),
        b"\x3f",  # DC "0", EOB "0", padded with ones
        b"\xff\xd9",
    ))  # fmt: skip


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(grey: int = 128, note: str = "ID card scan") -> bytes:
    """A 1×1 greyscale PNG of value ``grey`` with ``note`` in a tEXt chunk."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        _chunk(b"IHDR", header),
        _chunk(b"tEXt", b"Comment\x00" + note.encode()),
        _chunk(b"IDAT", zlib.compress(bytes([0, grey]))),
        _chunk(b"IEND", b""),
    ))  # fmt: skip


def classic_pdf(objects: list[bytes], *, preamble: bytes = b"", extra: bytes = b"") -> bytes:
    """A PDF 1.4 of ``objects`` (numbered from 1) with a cross-reference table.

    ``preamble`` (comment lines) stands after the header, ``extra`` after the objects,
    listed nowhere.
    """
    out = bytearray(b"%PDF-1.4\n" + preamble)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    out += extra
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf(note: str = "cremation certificate", padding: int = 0) -> bytes:
    """A one-page PDF with a cross-reference table; ``padding`` bytes of comment make it bigger."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>",
    ]
    preamble = b"%" + note.encode() + b"\n"
    if padding:
        preamble += b"%" + b"x" * padding + b"\n"
    return classic_pdf(objects, preamble=preamble)


def windows_executable() -> bytes:
    """The start of a PE file: ``MZ`` DOS header and stub."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"This program cannot be run"


def elf_executable() -> bytes:
    """The start of an ELF binary."""
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 40


SAMPLES = {"image/jpeg": jpeg, "image/png": png, "application/pdf": pdf}
