"""The mock's photos are real baseline JPEGs: markers in order and a decodable scan."""

from __future__ import annotations

import struct

from certhub.mocks.photos import _DC_CODES, jpeg_photo


def segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) pairs up to SOS, then ("scan", entropy data)."""
    assert data[:2] == b"\xff\xd8"
    assert data[-2:] == b"\xff\xd9"
    found, at = [], 2
    while True:
        marker = data[at + 1]
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        found.append((marker, data[at + 4 : at + 2 + length]))
        at += 2 + length
        if marker == 0xDA:
            found.append((0, data[at:-2]))
            return found


def decode_dc(scan: bytes, blocks: int) -> list[int]:
    """Decode DC-only blocks with the standard table (the inverse of the encoder)."""
    bits = "".join(f"{b:08b}" for b in scan.replace(b"\xff\x00", b"\xff"))
    codes = {format(code, f"0{length}b"): cat for cat, (code, length) in enumerate(_DC_CODES)}
    at, previous, values = 0, 0, []
    for _ in range(blocks):
        prefix = ""
        while prefix not in codes:
            prefix += bits[at]
            at += 1
        category = codes[prefix]
        raw = bits[at : at + category]
        at += category
        diff = 0
        if category:
            diff = int(raw, 2) if raw[0] == "1" else int(raw, 2) - (1 << category) + 1
        assert bits[at] == "0"  # EOB
        at += 1
        previous += diff
        values.append(previous)
    return values


def test_a_photo_is_a_jfif_baseline_jpeg() -> None:
    found = segments(jpeg_photo("440102195003121236", width=24, height=32))
    markers = [marker for marker, _ in found]
    assert markers == [0xE0, 0xFE, 0xDB, 0xC0, 0xC4, 0xC4, 0xDA, 0]
    assert found[0][1].startswith(b"JFIF\x00")
    precision, height, width, components = struct.unpack(">BHHB", found[3][1][:6])
    assert (precision, height, width, components) == (8, 32, 24, 1)


def test_the_scan_decodes_to_grey_levels_in_range() -> None:
    found = segments(jpeg_photo("seed-1"))
    levels = [value + 128 for value in decode_dc(found[-1][1], blocks=3 * 4)]
    assert all(40 <= level <= 220 for level in levels)
    assert len(set(levels)) > 1


def test_photos_are_reproducible_and_distinct() -> None:
    assert jpeg_photo("a") == jpeg_photo("a") != jpeg_photo("b")
