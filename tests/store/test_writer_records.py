"""A pushed message's append crosses the ledger channel as a fixed record, not a pickle.

The record must carry every field exactly (the writer stores and signs what
it gets), fall back to the pickle for anything it cannot carry, and refuse a
malformed record as a malformed frame.
"""

from __future__ import annotations

import asyncio
import dataclasses
import struct
from datetime import UTC, datetime, timedelta, timezone

import pytest
from ledgerkit import unsigned_message

from certhub.hub.rules.decisions import ItemKind
from certhub.hub.store.effects import NO_EFFECTS, Effects, ItemOpen, ZeroReportGuard
from certhub.hub.store.records import RecordKind
from certhub.hub.store.sqlite.writer_wire import FrameBatch, FrameError, decode, encode

HEAD = 12  # length and call id
PICKLE = 0x80  # a pickle's first byte

EVERY_FIELD = unsigned_message(
    1,
    kind=RecordKind.CERTIFICATION,
    message_type="certification_event/v1",
    sender="县-440103",  # not ASCII: the record carries UTF-8
    message_id="m-1",
    kid="kid-1",
    jws=b"h.p.s\x00\xff",
    payload=b'{"a": 1}',
    received_at=datetime(2026, 12, 6, 18, 30, 1, 123456, tzinfo=UTC),
    county="440103",
    reason="face",
    period="2026-12",
    village="440103001",
    person_id="440103199001011234",
    channel="app",
    outcome="passed",
)


def crossed(value: object) -> tuple[int, object]:
    """The first byte of ``value``'s frame body and what the other end decodes."""
    frame = encode(9, value)
    (length,) = struct.unpack(">I", frame[:4])
    assert length == len(frame) - HEAD
    return frame[HEAD], decode(frame[HEAD:])


@pytest.mark.parametrize(
    "effects",
    [
        NO_EFFECTS,
        Effects(item=ItemOpen("report")),
        Effects(item=ItemOpen("restoration", municipal=True)),
    ],
)
def test_an_append_crosses_as_a_record_with_every_field(effects: Effects) -> None:
    tag, (operation, (message, carried)) = crossed(("append", (EVERY_FIELD, effects)))  # type: ignore[misc]
    assert (tag, operation) == (1, "append")
    assert message == EVERY_FIELD
    assert message.received_at.tzinfo is UTC
    assert type(message.kind) is RecordKind
    assert carried == effects


def test_a_rules_enumeration_crosses_as_its_value() -> None:
    tag, (_, (_, effects)) = crossed(
        ("append", (EVERY_FIELD, Effects(item=ItemOpen(ItemKind.REPORT))))
    )  # type: ignore[misc]
    assert tag == 1
    assert type(effects.item.kind) is str
    assert effects.item.kind == "report"


def test_the_time_travels_as_microseconds_since_the_epoch() -> None:
    message = dataclasses.replace(
        EVERY_FIELD, received_at=datetime(1970, 1, 1, 0, 0, 1, 2, tzinfo=UTC)
    )
    body = encode(0, ("append", (message, NO_EFFECTS)))[HEAD:]
    assert body[:10] == b"\x01" + (1_000_002).to_bytes(8, "big") + b"\x00"
    _, (_, (back, _)) = crossed(("append", (message, NO_EFFECTS)))  # type: ignore[misc]
    assert back.received_at == message.received_at


def test_an_answer_is_a_record_computed_by_hand() -> None:
    frame = encode(7, (True, (5, "r")))
    assert frame == (
        b"\x00\x00\x00\x0a"  # 10 bytes follow the head
        b"\x00\x00\x00\x00\x00\x00\x00\x07"  # call 7
        b"\x02"  # an answer record
        b"\x00\x00\x00\x00\x00\x00\x00\x05"  # sequence 5
        b"r"  # the receipt
    )
    assert decode(frame[HEAD:]) == (True, (5, "r"))


@pytest.mark.parametrize(
    "value",
    [
        # received in another zone: the pickle keeps its offset
        (
            "append",
            (
                dataclasses.replace(
                    EVERY_FIELD,
                    received_at=datetime(2026, 12, 6, 18, tzinfo=timezone(timedelta(hours=8))),
                ),
                NO_EFFECTS,
            ),
        ),
        ("append", (EVERY_FIELD, Effects(zero_report_guard=ZeroReportGuard("440103", "2026-01")))),
        ("append", (EVERY_FIELD, Effects(item=ItemOpen("report"), audit=()), "third")),
        (
            "append",
            (dataclasses.replace(EVERY_FIELD, sender="\ud800"), NO_EFFECTS),
        ),  # a lone surrogate
        ("append", ("not a message", None)),
        (True, (2**63, "r")),  # beyond the record's sequence
        (True, None),
        (False, (5, "r")),
    ],
)
def test_what_no_record_carries_crosses_as_a_pickle(value: object) -> None:
    tag, back = crossed(value)
    assert tag == PICKLE
    assert back == value


def test_a_malformed_record_is_a_malformed_frame() -> None:
    body = encode(0, ("append", (EVERY_FIELD, Effects(item=ItemOpen("report")))))[HEAD:]
    for bad in (body[:-1], body + b"x", body[:5], b"\x02\x00"):
        with pytest.raises(FrameError, match="malformed ledger record"):
            decode(bad)
    unknown_kind = body.replace(b"certification", b"certificatioX", 1)
    with pytest.raises(FrameError, match="malformed ledger record"):
        decode(unknown_kind)
    item_without_kind = body[:9] + b"\x00" + body[10:]  # flags say no item, a kind follows
    with pytest.raises(FrameError, match="malformed ledger record"):
        decode(item_without_kind)


class Recorder:
    """A stream writer that records what is sent."""

    def __init__(self, closing: bool = False) -> None:
        self.sent: list[bytes] = []
        self.closing = closing

    def write(self, data: bytes) -> None:
        self.sent.append(data)

    def is_closing(self) -> bool:
        return self.closing


async def test_the_frames_of_a_loop_turn_leave_in_one_send_in_order() -> None:
    stream = Recorder()
    batch = FrameBatch(stream)  # type: ignore[arg-type]
    for frame in (b"a", b"bc", b"d"):
        batch.write(frame)
    assert stream.sent == []
    await asyncio.sleep(0)
    assert stream.sent == [b"abcd"]
    batch.write(b"e")
    await asyncio.sleep(0)
    assert stream.sent == [b"abcd", b"e"]


async def test_nothing_is_sent_on_a_closing_stream() -> None:
    stream = Recorder(closing=True)
    batch = FrameBatch(stream)  # type: ignore[arg-type]
    batch.write(b"a")
    await asyncio.sleep(0)
    assert stream.sent == []
