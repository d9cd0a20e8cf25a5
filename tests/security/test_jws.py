"""Compact JWS: round trips, strict parsing, and one-byte tampering never verifies."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certhub.security import (
    MalformedMessage,
    MessageError,
    MessageVerifier,
    SignatureInvalid,
    SigningKey,
    TrustStore,
    parse_compact,
    sign_compact,
)
from certhub.security._encoding import b64url_encode

from .conftest import NOW, PAYLOAD, REPORT, SENDER  # type: ignore[import-not-found]


def test_round_trip(signed: Callable[..., bytes], sender_key: SigningKey) -> None:
    token = signed(jti="msg-1")
    jws = parse_compact(token)
    assert (jws.alg, jws.kid, jws.typ, jws.jti, jws.sender) == (
        sender_key.alg,
        sender_key.kid,
        REPORT,
        "msg-1",
        SENDER,
    )
    assert jws.iat == int(NOW.timestamp())
    assert jws.payload == PAYLOAD
    assert jws.signing_input == token.rsplit(b".", 1)[0]


def test_defaults_fill_jti_and_iat(sender_key: SigningKey) -> None:
    jws = parse_compact(sign_compact(b"{}", key=sender_key, typ=REPORT, sender=SENDER))
    assert len(jws.jti) == 32
    assert jws.iat > 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"jti": "bad id"}, "jti"),
        ({"sender": "bad sender!"}, "iss"),
        ({"typ": ""}, "typ"),
        ({"iat": -1}, "iat"),
    ],
)
def test_sign_refuses_bad_header_values(
    signed: Callable[..., bytes], kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(MalformedMessage, match=match):
        signed(**kwargs)


def _forge(header: object, *, raw_header: bytes | None = None) -> bytes:
    encoded = raw_header if raw_header is not None else json.dumps(header).encode()
    return f"{b64url_encode(encoded)}.{b64url_encode(b'{}')}.{b64url_encode(b'x' * 64)}".encode()


GOOD = {"alg": "EdDSA", "kid": "k", "typ": REPORT, "iat": 1, "jti": "j", "iss": SENDER}


@pytest.mark.parametrize(
    "header",
    [
        {**GOOD, "alg": "none"},
        {**GOOD, "alg": "HS256"},
        {**GOOD, "alg": "ES384"},
        {**GOOD, "crit": ["exp"]},
        {**GOOD, "jku": "https://evil.example/jwks"},
        {**GOOD, "x5u": "https://evil.example/cert"},
        {**GOOD, "jwk": {"kty": "OKP", "crv": "Ed25519", "x": "AA"}},
        {**GOOD, "b64": False},
        {**GOOD, "iat": True},
        {**GOOD, "iat": "1"},
        {**GOOD, "iat": 1.5},
        {**GOOD, "kid": 7},
        {k: v for k, v in GOOD.items() if k != "iss"},
        {k: v for k, v in GOOD.items() if k != "jti"},
        {k: v for k, v in GOOD.items() if k != "typ"},
        ["not", "an", "object"],
    ],
)
def test_header_refused(header: object) -> None:
    with pytest.raises(MalformedMessage):
        parse_compact(_forge(header))


def test_duplicate_header_member_refused() -> None:
    raw = json.dumps(GOOD)[:-1].encode() + b', "alg": "EdDSA"}'
    with pytest.raises(MalformedMessage, match="duplicate"):
        parse_compact(_forge(None, raw_header=raw))


def test_valid_forged_header_parses() -> None:
    assert parse_compact(_forge(GOOD)).sender == SENDER


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t + b"=",  # padding
        lambda t: t.replace(b".", b"=.", 1),
        lambda t: t.replace(b".", b"+", 1)[:0] + b"+" + t,  # '+' is standard base64, not url
        lambda t: b"/" + t,
        lambda t: t + b".x",  # four segments
        lambda t: t.rsplit(b".", 1)[0],  # two segments
        lambda t: b"." + t.split(b".", 1)[1],  # empty header
        lambda t: t + b" ",
        lambda t: t.decode().replace("e", "é", 1).encode(),
    ],
)
def test_encoding_refused(signed: Callable[..., bytes], mutate: Callable[[bytes], bytes]) -> None:
    with pytest.raises(MalformedMessage):
        parse_compact(mutate(signed()))


def test_standard_base64_padding_form_refused() -> None:
    header = base64.urlsafe_b64encode(json.dumps(GOOD).encode())  # may carry '=' padding
    token = header + b".e30." + b64url_encode(b"x" * 64).encode()
    if b"=" in header:
        with pytest.raises(MalformedMessage):
            parse_compact(token)


# Module-level keys: hypothesis must not reuse function-scoped fixtures across examples.
_KEYS = {alg: SigningKey.generate(alg) for alg in ("EdDSA", "ES256")}
_TOKENS = {
    alg: sign_compact(PAYLOAD, key=key, typ=REPORT, sender=SENDER, iat=int(NOW.timestamp()))
    for alg, key in _KEYS.items()
}
_STORE = TrustStore.empty()
for _key in _KEYS.values():
    _STORE = _STORE.add(_key.public_jwk(), sender=SENDER, may_send=[REPORT])
_VERIFIER = MessageVerifier(_STORE, clock=lambda: NOW)


@given(
    alg=st.sampled_from(sorted(_KEYS)),
    position=st.integers(min_value=0, max_value=10_000),
    replacement=st.integers(min_value=0, max_value=255),
)
def test_tampering_any_byte_is_rejected(alg: str, position: int, replacement: int) -> None:
    token = bytearray(_TOKENS[alg])
    position %= len(token)
    if token[position] == replacement:
        replacement = (replacement + 1) % 256
    token[position] = replacement
    # A changed kid/alg/iss/typ fails earlier checks (UnknownKey, ...); never is it accepted.
    with pytest.raises(MessageError):
        _VERIFIER.verify(bytes(token))


@given(
    alg=st.sampled_from(sorted(_KEYS)),
    offset=st.integers(min_value=1, max_value=10_000),
    replacement=st.sampled_from(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    ),
)
def test_tampering_signature_or_payload_is_signature_invalid(
    alg: str, offset: int, replacement: int
) -> None:
    token = bytearray(_TOKENS[alg])
    first_payload_byte = token.index(b".") + 1
    position = first_payload_byte + offset % (len(token) - first_payload_byte)
    if token[position] in (replacement, ord(".")):
        return
    token[position] = replacement
    with pytest.raises((MalformedMessage, SignatureInvalid)):
        _VERIFIER.verify(bytes(token))


def test_untampered_token_verifies() -> None:
    for token in _TOKENS.values():
        assert _VERIFIER.verify(token).payload == PAYLOAD
