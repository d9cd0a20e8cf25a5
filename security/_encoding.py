"""Strict base64url and JSON codecs shared by every wire format in ``security``.

Strictness matters for signatures: a decoder that accepted padding, other
alphabets or non-zero trailing bits would let several distinct tokens carry
the same signature bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "DuplicateMember",
    "b64url_decode",
    "b64url_encode",
    "check_json_bounds",
    "json_dumps",
    "json_dumps_pretty",
    "json_loads",
    "read_json_file",
]

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_VALUE = {char: index for index, char in enumerate(_ALPHABET)}
# Unused low bits of the last character, by ``len(text) % 4`` (2: 4 bits, 3: 2 bits).
_TRAILING_BITS = {0: 0, 2: 0b1111, 3: 0b11}
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")  # built once; b64decode(altchars=) builds it per call


def b64url_encode(data: bytes) -> str:
    """Encode bytes as base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode canonical unpadded base64url.

    Raises:
        ValueError: padding, a character outside the base64url alphabet, an
            impossible length or non-zero trailing bits.
    """
    # Every check runs in C over the whole text; only the last character is
    # looked at in Python (the hot path verifies every incoming message).
    remainder = len(text) % 4
    if remainder == 1 or "=" in text or "+" in text or "/" in text:
        raise ValueError("not unpadded base64url")
    try:
        padded = (text + "=" * (-len(text) % 4)).encode("ascii").translate(_FROM_URLSAFE)
        data = binascii.a2b_base64(padded, strict_mode=True)
    except (binascii.Error, ValueError) as exc:  # a character outside the alphabet
        raise ValueError("not unpadded base64url") from exc
    if text and _VALUE[text[-1]] & _TRAILING_BITS[remainder]:
        raise ValueError("non-canonical base64url (trailing bits set)")
    return data


class DuplicateMember(ValueError):
    """A JSON object has a member name twice (parsers disagree on which one counts)."""


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateMember(f"duplicate JSON member {key!r}")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


# Built once: json.loads/json.dumps with options construct a new codec per call.
_DECODER = json.JSONDecoder(object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def json_loads(data: bytes | str) -> Any:
    """Parse JSON refusing duplicate object members, NaN and Infinity.

    Raises:
        ValueError: invalid UTF-8, invalid JSON, a duplicate member or a
            non-standard constant.
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return _DECODER.decode(text)


def read_json_file(path: Path, name: str, error: Callable[[str], Exception]) -> Any:
    """The JSON document in ``path``, parsed as strictly as :func:`json_loads`.

    Raises:
        Exception: ``error`` of a message naming ``name``: the file cannot be
            read, or it is not valid JSON.
    """
    try:
        return json_loads(path.read_bytes())
    except OSError as exc:
        raise error(f"cannot read {name}: {exc.strerror}") from exc
    except ValueError as exc:
        raise error(f"{name} is not valid JSON: {exc}") from exc


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def check_json_bounds(text: str, *, max_depth: int, max_chars: int) -> None:
    """Refuse JSON text too long or nested too deep before any parser sees it.

    The standard decoder recurses once per array or object level and raises
    ``RecursionError`` (not ``ValueError``) about 1,000 levels down; a header or
    token nested that deep must be an ordinary refusal, so the depth is counted
    here without recursion. Brackets inside strings do not count.

    Raises:
        ValueError: longer than ``max_chars`` or nested deeper than ``max_depth``.
    """
    if len(text) > max_chars:
        raise ValueError(f"JSON text longer than {max_chars} characters")
    if text.count("[") + text.count("{") <= max_depth:  # cannot nest deeper: skip the scan
        return
    depth = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > max_depth:
            raise ValueError(f"JSON nested deeper than {max_depth} levels")


def json_dumps(value: Any) -> bytes:
    """Serialise to compact UTF-8 JSON, keeping member order (deterministic output)."""
    return _ENCODER.encode(value).encode("utf-8")


def json_dumps_pretty(value: Any) -> bytes:
    """Serialise to indented UTF-8 JSON for files people review in diffs."""
    text = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")
