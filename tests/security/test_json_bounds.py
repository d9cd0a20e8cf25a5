"""Depth and size bounds before JSON parsing: deep nesting is a refusal, never a RecursionError."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certhub.security import InvalidToken, MalformedMessage, SigningKey, TrustStore, parse_compact
from certhub.security._encoding import b64url_encode, check_json_bounds
from certhub.security.tokens import ReadTokenVerifier

_SCALARS = st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab', max_size=8)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=20,
)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    return 0


@given(_JSON, st.integers(min_value=0, max_value=6))
def test_the_bound_is_the_real_nesting_depth(value: object, limit: int) -> None:
    """Brackets inside strings never count; the deepest container decides."""
    text = json.dumps(value)
    if _depth(value) <= limit:
        check_json_bounds(text, max_depth=limit, max_chars=len(text))
    else:
        with pytest.raises(ValueError, match="nested deeper"):
            check_json_bounds(text, max_depth=limit, max_chars=len(text))


def test_too_long_is_refused_before_parsing() -> None:
    with pytest.raises(ValueError, match="longer than"):
        check_json_bounds('{"a":"' + "x" * 100 + '"}', max_depth=8, max_chars=50)


def _deep_header() -> bytes:
    return b'{"alg":"EdDSA","kid":"k","x":' + b"[" * 1000 + b"]" * 1000 + b"}"


def test_a_deeply_nested_protected_header_is_malformed() -> None:
    token = f"{b64url_encode(_deep_header())}.{b64url_encode(b'{}')}.{b64url_encode(b'x' * 64)}"
    with pytest.raises(MalformedMessage, match="nested deeper"):
        parse_compact(token.encode())


def test_a_deeply_nested_token_header_is_an_invalid_token() -> None:
    key = SigningKey.generate()
    header = _deep_header().replace(b'"kid":"k"', b'"typ":"JWT","kid":"k"')
    token = f"{b64url_encode(header)}.{b64url_encode(b'{}')}.{b64url_encode(b'x' * 64)}"
    verifier = ReadTokenVerifier(
        TrustStore.empty().add(key.public_jwk(), sender="p", may_send=[], may_read=True)
    )
    with pytest.raises(InvalidToken, match="nested deeper"):
        verifier.verify(token)
