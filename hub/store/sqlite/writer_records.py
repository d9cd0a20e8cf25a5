"""Fixed binary records for the ledger channel's common call: a pushed message's append.

Every message pushed to an ingress process of ``certhub serve --processes N``
crosses :mod:`certhub.hub.store.sqlite.writer_wire` as ``("append",
(message, effects))`` and comes back as ``(True, (sequence, receipt))``.
Pickling those (the message's sixteen fields, the effects' twenty-two, the
time zone) cost ≈ 35 µs of CPU per append at both ends; these records cost
≈ 6. Anything else — other effects, a time not in UTC, a re-send's stored
record, a refusal — is left to the pickle (:func:`encode` answers None).

An append (tag 1): ``>BqB`` tag, received time in microseconds since the
Unix epoch (UTC), item flags (1: an item under review opens, 2: a municipal
one), then the byte lengths of the message's text fields in
:data:`TEXT_FIELDS` order, of the item's kind, of the JWS and of the payload
(``0xFFFFFFFF``: None), then those bytes (texts in UTF-8), nothing after.
An answer (tag 2): ``>Bq`` tag, sequence, then the receipt in UTF-8.
"""

from __future__ import annotations

import operator
import struct
from datetime import UTC, datetime, timedelta
from typing import Final

from certhub.hub.store.effects import NO_EFFECTS, Effects, ItemOpen
from certhub.hub.store.records import NewMessage, RecordKind

__all__ = ["TAGS", "TEXT_FIELDS", "decode", "encode"]

APPEND: Final = 1
APPENDED: Final = 2
TAGS: Final = frozenset({bytes([APPEND]), bytes([APPENDED])})
"""First bytes of these records (a pickle's first byte is 0x80)."""

TEXT_FIELDS: Final = (
    "kind",
    "message_type",
    "sender",
    "message_id",
    "kid",
    "sha256",
    "county",
    "reason",
    "period",
    "village",
    "person_id",
    "channel",
    "outcome",
)
"""The message's text fields, in the record's order; the first six are never None."""

_REQUIRED: Final = 6
_ABSENT: Final = 0xFFFFFFFF
_APPEND_HEAD = struct.Struct(">BqB" + "I" * (len(TEXT_FIELDS) + 3))
_APPENDED_HEAD = struct.Struct(">Bq")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_ITEM, _MUNICIPAL = 1, 2

_texts = operator.attrgetter(*TEXT_FIELDS)
_BESIDES_ITEM: Final = tuple(name for name in Effects.__dataclass_fields__ if name != "item")
_besides_item = operator.attrgetter(*_BESIDES_ITEM)
_NOTHING_BESIDES: Final = _besides_item(NO_EFFECTS)


def encode(value: object) -> list[bytes] | None:
    """The record of ``value`` (its parts, to be joined), or None if it has none."""
    if type(value) is not tuple or len(value) != 2:
        return None
    first, second = value
    if type(second) is not tuple or len(second) != 2:
        return None
    if first == "append":
        return _append(*second)
    if first is True and type(second[0]) is int and type(second[1]) is str:
        sequence, receipt = second
        if -(2**63) <= sequence < 2**63:
            return [_APPENDED_HEAD.pack(APPENDED, sequence), receipt.encode()]
    return None


def _append(message: object, effects: object) -> list[bytes] | None:
    carried = _carried(message, effects)
    if carried is None:
        return None
    texts, flags = carried
    assert isinstance(message, NewMessage)  # noqa: S101 - checked by _carried
    parts: list[bytes] = []
    lengths: list[int] = []
    for text in texts:
        if text is None:
            lengths.append(_ABSENT)
            continue
        try:
            encoded = text.encode()
        except UnicodeEncodeError:  # a lone surrogate: the pickle carries it
            return None
        parts.append(encoded)
        lengths.append(len(encoded))
    jws, payload = message.jws, message.payload
    micros = (message.received_at - _EPOCH) // _MICROSECOND
    head = _APPEND_HEAD.pack(APPEND, micros, flags, *lengths, len(jws), len(payload))
    return [head, *parts, jws, payload]


def _carried(message: object, effects: object) -> tuple[list[str | None], int] | None:
    """The texts and item flags of an append a record can carry, else None."""
    if type(message) is not NewMessage or type(effects) is not Effects:
        return None
    at = message.received_at
    if (
        type(at) is not datetime
        or at.tzinfo is not UTC
        or at.fold
        or type(message.jws) is not bytes
        or type(message.payload) is not bytes
        or _besides_item(effects) != _NOTHING_BESIDES
    ):
        return None
    item = effects.item
    texts: list[str | None] = [*_texts(message), None if item is None else item.kind]
    if any(text is not None and not isinstance(text, str) for text in texts):
        return None  # (a str enumeration travels as its value)
    if item is None:
        return texts, 0
    if type(item) is not ItemOpen or type(item.municipal) is not bool:
        return None
    return texts, _ITEM | (_MUNICIPAL if item.municipal else 0)


def decode(body: bytes) -> tuple[object, tuple[object, object]]:
    """The call or answer a record carries.

    Raises:
        ValueError: the record is malformed (``struct.error`` for a short head,
            ``KeyError`` for an unknown kind, ``OverflowError`` for a time out of range).
    """
    if body[0] == APPENDED:
        _, sequence = _APPENDED_HEAD.unpack_from(body)
        return True, (sequence, body[_APPENDED_HEAD.size :].decode())
    if body[0] != APPEND:
        raise ValueError(f"no ledger record has tag {body[0]}")
    _, micros, flags, *lengths = _APPEND_HEAD.unpack_from(body)
    offset = _APPEND_HEAD.size
    values: list[bytes | None] = []
    for length in lengths:
        if length == _ABSENT:
            values.append(None)
            continue
        end = offset + length
        values.append(body[offset:end])
        offset = end
    if offset != len(body):
        raise ValueError(f"a ledger record of {len(body)} bytes announced {offset}")
    *encoded, item_kind, jws, payload = values
    texts = [None if value is None else value.decode() for value in encoded]
    if jws is None or payload is None or None in texts[:_REQUIRED]:
        raise ValueError("a ledger record lacks a field the message must have")
    if flags & ~(_ITEM | _MUNICIPAL) or bool(flags & _ITEM) is (item_kind is None):
        raise ValueError(f"item flags {flags} do not match the record")
    kind, message_type, sender, message_id, kid, sha256, *columns = texts
    message = NewMessage(  # by position: the keywords cost a third more
        _KINDS[kind],  # type: ignore[index]  # None refused above; KeyError is a LookupError
        message_type,  # type: ignore[arg-type]
        sender,  # type: ignore[arg-type]
        message_id,  # type: ignore[arg-type]
        kid,  # type: ignore[arg-type]
        sha256,  # type: ignore[arg-type]
        jws,
        payload,
        _EPOCH + micros * _MICROSECOND,
        *columns,  # county, reason, period, village, person_id, channel, outcome
    )
    if item_kind is None:
        return "append", (message, NO_EFFECTS)
    return "append", (message, _item_effects(item_kind.decode(), bool(flags & _MUNICIPAL)))


def _item_effects(kind: str, municipal: bool) -> Effects:
    """Effects that open an item of ``kind``: one frozen instance per kind (building one
    sets twenty-two fields)."""
    effects = _ITEM_EFFECTS.get((kind, municipal))
    if effects is None:
        effects = Effects(item=ItemOpen(kind, municipal=municipal))
        if len(_ITEM_EFFECTS) < _ITEM_EFFECTS_KEPT:
            _ITEM_EFFECTS[kind, municipal] = effects
    return effects


_KINDS: Final = {kind.value: kind for kind in RecordKind}
_ITEM_EFFECTS: dict[tuple[str, bool], Effects] = {}
_ITEM_EFFECTS_KEPT: Final = 64  # far above the item kinds there are
