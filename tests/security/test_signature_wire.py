"""The signature helper's framing: everything round-trips; cut or padded bodies never decode."""

from __future__ import annotations

import io
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certhub.security.signature_wire import (
    MAX_SIGNATURE,
    SIGN_ED25519,
    VERIFY_ED25519,
    VERIFY_ES256,
    FrameBuffer,
    Item,
    decode_answers,
    decode_batch,
    encode_answers,
    encode_batch,
    read_frame,
)

_OPS = st.integers(min_value=VERIFY_ED25519, max_value=3)


def _items(
    *, key: int = 255, signature: int = 200, data: int = 300
) -> st.SearchStrategy[list[Item]]:
    return st.lists(
        st.tuples(
            _OPS, st.binary(max_size=key), st.binary(max_size=signature), st.binary(max_size=data)
        ),
        max_size=8,
    )


_ANSWERS = st.lists(st.binary(max_size=255), max_size=12)
_BODIES = st.lists(st.binary(max_size=300), max_size=8)


def _body(frame: bytes) -> bytes:
    """The body of one frame, after checking that its length prefix is right."""
    (length,) = struct.unpack(">I", frame[:4])
    assert length == len(frame) - 4
    return frame[4:]


def _frames(bodies: list[bytes]) -> bytes:
    """Frames built here, independently of the module under test."""
    return b"".join(struct.pack(">I", len(body)) + body for body in bodies)


def _frame_ends(bodies: list[bytes]) -> list[int]:
    ends, position = [], 0
    for body in bodies:
        position += 4 + len(body)
        ends.append(position)
    return ends


# -- request batches ---------------------------------------------------------


@given(items=_items())
def test_any_batch_round_trips(items: list[Item]) -> None:
    assert decode_batch(_body(encode_batch(items))) == items


def test_the_largest_fields_round_trip() -> None:
    items = [
        (VERIFY_ES256, b"k" * 255, b"s" * MAX_SIGNATURE, b"d" * 70_000),
        (SIGN_ED25519, b"", b"", b""),
    ]
    assert decode_batch(_body(encode_batch(items))) == items


@pytest.mark.parametrize(
    "item",
    [
        (VERIFY_ED25519, b"k" * 256, b"", b""),
        (VERIFY_ED25519, b"", b"s" * (MAX_SIGNATURE + 1), b""),
        (256, b"", b"", b""),
    ],
    ids=["key", "signature", "op"],
)
def test_a_field_too_long_for_the_wire_is_refused_when_encoding(item: Item) -> None:
    with pytest.raises(struct.error):
        encode_batch([item])


@given(items=_items(key=40, signature=80, data=80))
def test_every_truncation_of_a_batch_is_refused(items: list[Item]) -> None:
    body = _body(encode_batch(items))
    for cut in range(len(body)):
        with pytest.raises(ValueError, match="truncated"):
            decode_batch(body[:cut])


def test_a_batch_cut_between_items_is_refused() -> None:
    first = (VERIFY_ED25519, b"key", b"sig", b"data")
    body = _body(encode_batch([first, (VERIFY_ES256, b"k2", b"s2", b"d2")]))
    one_item = 4 + 8 + len(b"keysigdata")
    assert decode_batch(_body(encode_batch([first]))) == [first]  # the same bytes, count 1
    with pytest.raises(ValueError, match="truncated"):
        decode_batch(body[:one_item])  # count still says 2
    with pytest.raises(ValueError, match="truncated"):
        decode_batch(body[:4])  # count 2, no items at all


@given(items=_items(key=40, signature=80, data=80), extra=st.binary(min_size=1, max_size=40))
def test_trailing_bytes_after_a_batch_are_refused(items: list[Item], extra: bytes) -> None:
    with pytest.raises(ValueError, match="trailing"):
        decode_batch(_body(encode_batch(items)) + extra)


# -- answers -----------------------------------------------------------------


@given(answers=_ANSWERS)
def test_any_answers_round_trip(answers: list[bytes]) -> None:
    assert decode_answers(_body(encode_answers(answers))) == answers


@given(answers=_ANSWERS.filter(bool))
def test_a_truncated_answer_body_is_refused_or_short_never_wrong(answers: list[bytes]) -> None:
    # Answers carry no count: a cut between answers decodes to fewer of them, which the
    # hub catches by counting. A cut inside one must never yield a wrong answer.
    body = _body(encode_answers(answers))
    for cut in range(len(body)):
        try:
            decoded = decode_answers(body[:cut])
        except ValueError:
            continue
        assert len(decoded) < len(answers)
        assert decoded == answers[: len(decoded)]


def test_an_answer_longer_than_a_length_byte_is_refused() -> None:
    with pytest.raises(OverflowError):
        encode_answers([b"x" * 256])


# -- frames --------------------------------------------------------------------


@given(bodies=_BODIES, cuts=st.lists(st.integers(min_value=0, max_value=3000), max_size=20))
def test_a_frame_buffer_yields_each_body_once_its_last_byte_arrives(
    bodies: list[bytes], cuts: list[int]
) -> None:
    stream = _frames(bodies)
    ends = _frame_ends(bodies)
    points = sorted({min(cut, len(stream)) for cut in cuts} | {len(stream)})
    buffer = FrameBuffer()
    received: list[bytes] = []
    start = 0
    for point in points:
        received += buffer.feed(stream[start:point])
        start = point
        complete = sum(1 for end in ends if end <= point)
        assert received == bodies[:complete]
    assert received == bodies
    assert buffer.feed(b"") == []


def test_a_frame_buffer_fed_byte_by_byte() -> None:
    bodies = [b"", b"one", b"\x00\x00\x00\x05", b"x" * 300]
    buffer = FrameBuffer()
    received = [body for byte in _frames(bodies) for body in buffer.feed(bytes([byte]))]
    assert received == bodies


@given(bodies=_BODIES)
def test_read_frame_returns_each_body_then_none_at_a_clean_end(bodies: list[bytes]) -> None:
    stream = io.BytesIO(_frames(bodies))
    assert [read_frame(stream) for _ in bodies] == bodies
    assert read_frame(stream) is None
    assert read_frame(stream) is None


@given(bodies=_BODIES.filter(bool), data=st.data())
def test_read_frame_refuses_a_stream_cut_inside_a_frame_only(
    bodies: list[bytes], data: st.DataObject
) -> None:
    whole = _frames(bodies)
    ends = _frame_ends(bodies)
    cut = data.draw(st.integers(min_value=0, max_value=len(whole) - 1), label="cut")
    complete = sum(1 for end in ends if end <= cut)
    stream = io.BytesIO(whole[:cut])
    assert [read_frame(stream) for _ in range(complete)] == bodies[:complete]
    if cut == 0 or cut in ends:
        assert read_frame(stream) is None
    else:
        with pytest.raises(EOFError):
            read_frame(stream)


def test_read_frame_tells_a_cut_header_from_a_cut_body() -> None:
    with pytest.raises(EOFError, match="header"):
        read_frame(io.BytesIO(b"\x00\x00"))
    with pytest.raises(EOFError, match=r"inside a frame$"):
        read_frame(io.BytesIO(b"\x00\x00\x00\x03ab"))
