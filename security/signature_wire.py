"""The framing between the hub and its signature helper process.

Both directions are length-prefixed frames (4-byte big-endian length, then
the body). A request body is a count and that many items, each
``op(1) key_len(1) sig_len(2) data_len(4)`` followed by the three byte
strings (key, signature, data). An answer body holds one answer per item, in
request order, each a length byte and that many bytes: for a check ``01``
(valid) or nothing (not valid); for a signature the signature, or nothing
if the key was unusable. Fixed binary fields rather than pickle: the helper
never unpickles anything.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import IO

VERIFY_ED25519 = 0  # key: 32-byte public key
VERIFY_ES256 = 1  # key: 65-byte uncompressed P-256 point
SIGN_ED25519 = 2  # key: 32-byte private key; no signature sent
SIGN_ES256 = 3  # key: 32-byte private scalar; no signature sent

VALID = b"\x01"
MAX_SIGNATURE = 0xFFFF  # the longest signature an item can carry (2-byte length)

_LENGTH = struct.Struct(">I")
_ITEM = struct.Struct(">BBHI")

Item = tuple[int, bytes, bytes, bytes]
"""(operation, key bytes, signature, data)."""


def encode_batch(items: Iterable[Item]) -> bytes:
    """One request frame holding ``items``."""
    parts = [b"", b""]
    count = 0
    pack = _ITEM.pack
    for alg, key, signature, data in items:
        parts += (pack(alg, len(key), len(signature), len(data)), key, signature, data)
        count += 1
    parts[1] = _LENGTH.pack(count)
    body_length = sum(map(len, parts))
    parts[0] = _LENGTH.pack(body_length)
    return b"".join(parts)


def decode_batch(body: bytes) -> list[Item]:
    """The items of a request body; raises ValueError if it is malformed."""
    view = memoryview(body)
    if len(body) < _LENGTH.size:
        raise ValueError("truncated signature batch")
    (count,) = _LENGTH.unpack_from(view, 0)
    offset = _LENGTH.size
    items: list[Item] = []
    for _ in range(count):
        if offset + _ITEM.size > len(body):
            raise ValueError("truncated signature batch")
        alg, key_len, sig_len, data_len = _ITEM.unpack_from(view, offset)
        offset += _ITEM.size
        end_key = offset + key_len
        end_sig = end_key + sig_len
        end = end_sig + data_len
        if end > len(body):
            raise ValueError("truncated signature batch")
        items.append((alg, body[offset:end_key], body[end_key:end_sig], body[end_sig:end]))
        offset = end
    if offset != len(body):
        raise ValueError("trailing bytes after a signature batch")
    return items


def encode_answers(answers: Iterable[bytes]) -> bytes:
    """One answer frame: each answer prefixed by its length (at most 255 bytes)."""
    parts = [b""]
    for answer in answers:
        parts += (len(answer).to_bytes(1, "big"), answer)
    parts[0] = _LENGTH.pack(sum(map(len, parts)))
    return b"".join(parts)


def decode_answers(body: bytes) -> list[bytes]:
    """The answers of an answer body; raises ValueError if it is malformed."""
    answers: list[bytes] = []
    offset = 0
    while offset < len(body):
        end = offset + 1 + body[offset]
        if end > len(body):
            raise ValueError("truncated answer")
        answers.append(body[offset + 1 : end])
        offset = end
    return answers


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next frame's body from a blocking stream, or None at a clean end."""
    header = stream.read(_LENGTH.size)
    if not header:
        return None
    if len(header) != _LENGTH.size:
        raise EOFError("stream ended inside a frame header")
    (length,) = _LENGTH.unpack(header)
    body = stream.read(length)
    if len(body) != length:
        raise EOFError("stream ended inside a frame")
    return body


class FrameBuffer:
    """Collects bytes from a non-blocking stream and yields whole frame bodies."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Add ``data``; return the bodies of the frames now complete."""
        buffer = self._buffer
        buffer += data
        bodies: list[bytes] = []
        start = 0
        while len(buffer) - start >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(buffer, start)
            end = start + _LENGTH.size + length
            if end > len(buffer):
                break
            bodies.append(bytes(buffer[start + _LENGTH.size : end]))
            start = end
        del buffer[:start]
        return bodies
