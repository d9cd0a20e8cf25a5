"""GBK as departments write it: plain GBK as Python reads it, the user-defined areas as the
Private Use Area, nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certhub.adapters.gbk import decode_gbk

# GBK's three user-defined areas (造字): lead byte range, trail byte range (0x7F never a trail).
USER_DEFINED = ((0xAA, 0xAF, 0xA1, 0xFE), (0xF8, 0xFE, 0xA1, 0xFE), (0xA1, 0xA7, 0x40, 0xA0))


@given(st.text(st.characters(codec="gbk", exclude_categories=("Cs",)), max_size=30))
def test_plain_gbk_reads_as_the_gbk_codec_reads_it(text: str) -> None:
    assert decode_gbk(text.encode("gbk")) == text


@given(st.sampled_from(USER_DEFINED), st.data())
def test_a_user_defined_pair_is_one_private_use_character(
    area: tuple[int, int, int, int], data: st.DataObject
) -> None:
    lead = data.draw(st.integers(area[0], area[1]))
    trail = data.draw(st.integers(area[2], area[3]).filter(lambda b: b != 0x7F))
    (char,) = decode_gbk(b"\xc5\xb7" + bytes([lead, trail]))[1:]
    assert char.encode("gb18030") == bytes([lead, trail])  # one character, the same bytes
    if area[0] == 0xAA:  # the first area is wholly the Private Use Area: 0xAAA1 is U+E000
        assert ord(char) == 0xE000 + (lead - 0xAA) * 94 + trail - 0xA1


@pytest.mark.parametrize(
    ("data", "position"),
    [
        (b"\xc5\xb7\x81\x30\x81\x30", 2),  # GB18030's four bytes: not GBK
        (b"\x81\x20", 0),  # a lead byte without its trail
        (b"\xc5\xb7\x80", 2),  # 0x80 alone
        (b"\xff", 0),
    ],
)
def test_anything_else_is_refused_at_its_first_byte(data: bytes, position: int) -> None:
    with pytest.raises(UnicodeDecodeError) as refused:
        decode_gbk(data)
    assert refused.value.start == position
