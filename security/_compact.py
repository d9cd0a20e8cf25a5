"""Strict split/encode of JWS compact serialization, shared by messages, tokens, receipts.

Only the checks every certhub JWS needs live here: three canonical base64url
segments, a duplicate-free JSON object header, an allowed ``alg``, a ``kid``,
and none of the members that would let a message choose its own key or change
how it is processed (``crit``, ``jku``, ``jwk``, ``x5u``, ``x5c``, ``b64``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._encoding import b64url_decode, b64url_encode, check_json_bounds, json_dumps, json_loads
from .errors import MalformedMessage
from .keys import ALGORITHMS, SigningKey

__all__ = [
    "FORBIDDEN_HEADER_MEMBERS",
    "Segments",
    "compact_signing_input",
    "encode_compact",
    "join_compact",
    "split_compact",
]

FORBIDDEN_HEADER_MEMBERS = frozenset({"crit", "jku", "jwk", "x5u", "x5c", "b64"})
HEADER_MAX_BYTES = 8 * 1024
"""A protected header is a handful of short members; anything longer is refused unparsed."""
HEADER_MAX_DEPTH = 8
"""Certhub headers are flat objects; deep nesting is refused before the JSON decoder recurses."""

Segments = tuple[dict[str, Any], bytes, bytes, bytes]
"""(header, payload, signature, signing input) of a parsed token."""


def encode_compact(header: Mapping[str, Any], payload: bytes, key: SigningKey) -> bytes:
    """Sign ``payload`` under ``header`` and return the compact serialization (ASCII)."""
    signing_input = compact_signing_input(header, payload)
    return join_compact(signing_input, key.sign(signing_input))


def compact_signing_input(header: Mapping[str, Any], payload: bytes) -> bytes:
    """The bytes a JWS signature covers: ``b64url(header) "." b64url(payload)``."""
    return f"{b64url_encode(json_dumps(dict(header)))}.{b64url_encode(payload)}".encode("ascii")


def join_compact(signing_input: bytes, signature: bytes) -> bytes:
    """The compact serialization from its signing input and signature."""
    return signing_input + b"." + b64url_encode(signature).encode("ascii")


def _segment(text: str, name: str) -> bytes:
    if not text:
        raise MalformedMessage(f"empty {name} segment")
    try:
        return b64url_decode(text)
    except ValueError as exc:
        raise MalformedMessage(f"{name} segment: {exc}") from exc


def _header(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
        check_json_bounds(text, max_depth=HEADER_MAX_DEPTH, max_chars=HEADER_MAX_BYTES)
        header = json_loads(text)
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise MalformedMessage(f"protected header is not valid JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise MalformedMessage("protected header must be a JSON object")
    forbidden = sorted(FORBIDDEN_HEADER_MEMBERS & header.keys())
    if forbidden:
        raise MalformedMessage(f"header member(s) not accepted: {', '.join(forbidden)}")
    if header.get("alg") not in ALGORITHMS:
        raise MalformedMessage(f"header alg {header.get('alg')!r} not accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise MalformedMessage("header kid must be a non-empty string")
    return header


def split_compact(token: bytes) -> Segments:
    """Parse a compact JWS without verifying it.

    Raises:
        MalformedMessage: anything short of the strict profile described above.
    """
    if not isinstance(token, bytes):
        raise MalformedMessage("token must be bytes")
    try:
        text = token.decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedMessage("token must be ASCII") from exc
    parts = text.split(".")
    if len(parts) != 3:
        raise MalformedMessage(f"compact JWS needs 3 segments, got {len(parts)}")
    header = _header(_segment(parts[0], "header"))
    payload = _segment(parts[1], "payload")
    signature = _segment(parts[2], "signature")
    signing_input = token[: len(parts[0]) + 1 + len(parts[1])]  # ASCII: characters are bytes
    return header, payload, signature, signing_input
