"""Small real JPEG photos (baseline JFIF, greyscale), made without any imaging library.

Each "photo" is a mosaic of flat 8×8 blocks whose grey levels derive from a
seed, so every person gets distinct, reproducible bytes that any JPEG decoder
opens. Only DC coefficients are coded (every block ends at once with EOB),
which keeps the encoder to a few lines: standard luminance DC Huffman table
(ITU T.81 Annex K.3) and a one-symbol AC table.
"""

from __future__ import annotations

import random
import struct
from typing import Final

__all__ = ["jpeg_photo"]

_DC_COUNTS: Final = bytes([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
_DC_CODES: Final = (  # category -> (code, length), from the counts above (K.3)
    (0b00, 2), (0b010, 3), (0b011, 3), (0b100, 3), (0b101, 3), (0b110, 3),
    (0b1110, 4), (0b11110, 5), (0b111110, 6), (0b1111110, 7), (0b11111110, 8),
    (0b111111110, 9),
)  # fmt: skip
_QUANT: Final = 8  # every coefficient divided by 8, so a DC coefficient is (level - 128)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", 0xFF00 | marker, len(payload) + 2) + payload


class _BitWriter:
    def __init__(self) -> None:
        self.bits: list[int] = []

    def write(self, value: int, length: int) -> None:
        self.bits.extend((value >> shift) & 1 for shift in range(length - 1, -1, -1))

    def finish(self) -> bytes:
        padded = self.bits + [1] * (-len(self.bits) % 8)
        out = bytearray()
        for start in range(0, len(padded), 8):
            byte = int("".join(map(str, padded[start : start + 8])), 2)
            out.append(byte)
            if byte == 0xFF:
                out.append(0x00)  # byte stuffing inside entropy-coded data
        return bytes(out)


def _encode_dc(writer: _BitWriter, diff: int) -> None:
    category = abs(diff).bit_length()
    code, length = _DC_CODES[category]
    writer.write(code, length)
    if category:
        # Negative differences are sent as diff - 1 in `category` bits (T.81 F.1.2.1.1).
        writer.write(diff if diff > 0 else diff + (1 << category) - 1, category)
    writer.write(0b0, 1)  # AC: end of block straight away


def jpeg_photo(seed: int | str, *, width: int = 24, height: int = 32, comment: str = "") -> bytes:
    """A valid greyscale JFIF JPEG of ``width``×``height`` pixels derived from ``seed``.

    Args:
        seed: anything reproducible; equal seeds give equal bytes.
        width: pixels, a multiple of 8 keeps every block visible.
        height: pixels.
        comment: ASCII text stored in a COM segment.
    """
    rng = random.Random(str(seed))
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    writer = _BitWriter()
    previous = 0
    for _ in range(blocks):
        level = rng.randint(40, 220)
        dc = (level - 128) * 8 // _QUANT
        _encode_dc(writer, dc - previous)
        previous = dc
    return b"".join(
        (
            b"\xff\xd8",
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xFE, (comment or f"certhub mock photo {seed}").encode("ascii", "replace")),
            _segment(0xDB, b"\x00" + bytes([_QUANT]) * 64),
            _segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"),
            _segment(0xC4, b"\x00" + _DC_COUNTS + bytes(range(12))),
            _segment(0xC4, b"\x10" + b"\x01" + bytes(15) + b"\x00"),
            _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
            writer.finish(),
            b"\xff\xd9",
        )
    )
