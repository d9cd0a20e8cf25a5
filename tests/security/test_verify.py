"""MessageVerifier: every rejection reason, with its stable problem type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from certhub.security import (
    AlgorithmMismatch,
    ClockSkew,
    KeyExpired,
    KeyRevoked,
    MessageVerifier,
    SecurityError,
    SenderMismatch,
    SignatureInvalid,
    SigningKey,
    TrustStore,
    TypeNotAllowed,
    TypeNotExpected,
    UnknownKey,
    VerifyingKey,
)
from certhub.security._compact import encode_compact
from certhub.security.jws import parse_compact
from certhub.security.offload import SignatureHelper

from .conftest import NOW, PAYLOAD, REPORT, SENDER  # type: ignore[import-not-found]


def _problem(exc: pytest.ExceptionInfo[SecurityError]) -> str:
    return exc.value.slug  # its HTTP status is the hub's catalogue's business


class _UntouchableHelper(SignatureHelper):
    """A helper (with no process) that fails the test if it is asked anything."""

    async def verify(self, key: VerifyingKey, signature: bytes, data: bytes) -> bool:
        raise AssertionError("the helper was asked before admission was decided")


def test_accepts_and_exposes_message(
    verifier: MessageVerifier, signed: Callable[..., bytes]
) -> None:
    import hashlib

    raw = signed(jti="m-1")
    message = verifier.verify(raw, allowed_types=[REPORT])
    assert (message.sender, message.typ, message.jti) == (SENDER, REPORT, "m-1")
    assert message.payload == PAYLOAD
    assert message.digest == hashlib.sha256(raw).hexdigest()
    assert message.trusted.role == "city"
    verifier.check_freshness(message)


@pytest.mark.parametrize(
    ("changes", "allowed_types", "refusal"),
    [
        ({"key": SigningKey.generate()}, None, (UnknownKey, "unknown-key")),
        ({"sender": "shaoguan-platform"}, None, (SenderMismatch, "sender-mismatch")),
        ({}, ["zero_report/v1"], (TypeNotExpected, "type-not-expected")),
        ({"typ": "certification_event/v1"}, None, (TypeNotAllowed, "type-not-allowed")),
    ],
)
async def test_a_key_sender_or_type_the_trust_store_or_route_does_not_allow(
    verifier: MessageVerifier,
    signed: Callable[..., bytes],
    changes: dict[str, Any],
    allowed_types: list[str] | None,
    refusal: tuple[type[SecurityError], str],
) -> None:
    """Refused by ``verify``, and by ``verify_on`` before any signature helper is asked."""
    raw = signed(**changes)
    with pytest.raises(refusal[0]) as exc:
        verifier.verify(raw, allowed_types=allowed_types)
    assert _problem(exc) == refusal[1]
    with pytest.raises(refusal[0]) as exc:
        await verifier.verify_on(_UntouchableHelper(), raw, allowed_types=allowed_types)
    assert _problem(exc) == refusal[1]


def test_revoked_key(
    store: TrustStore, sender_key: SigningKey, signed: Callable[..., bytes]
) -> None:
    verifier = MessageVerifier(store.revoke(sender_key.kid), clock=lambda: NOW)
    with pytest.raises(KeyRevoked) as exc:
        verifier.verify(signed())
    assert _problem(exc) == "key-revoked"


def test_expired_key(sender_key: SigningKey, signed: Callable[..., bytes]) -> None:
    store = TrustStore.empty().add(
        sender_key.public_jwk(), sender=SENDER, may_send=[REPORT], not_after=NOW
    )
    with pytest.raises(KeyExpired) as exc:
        MessageVerifier(store, clock=lambda: NOW).verify(signed())
    assert _problem(exc) == "key-expired"
    later_store = TrustStore.empty().add(
        sender_key.public_jwk(), sender=SENDER, may_send=[REPORT], not_after=NOW + timedelta(1)
    )
    MessageVerifier(later_store, clock=lambda: NOW).verify(signed())


def test_algorithm_mismatch(verifier: MessageVerifier, sender_key: SigningKey) -> None:
    header = {
        "alg": "ES256" if sender_key.alg == "EdDSA" else "EdDSA",
        "kid": sender_key.kid,
        "typ": REPORT,
        "iat": 1,
        "jti": "j",
        "iss": SENDER,
    }
    # Sign with the right key but claim the other algorithm in the header.
    token = encode_compact(header, PAYLOAD, sender_key)
    with pytest.raises(AlgorithmMismatch) as exc:
        verifier.verify(token)
    assert _problem(exc) == "algorithm-mismatch"


def test_signature_invalid(verifier: MessageVerifier, signed: Callable[..., bytes]) -> None:
    header, payload, _ = signed().split(b".")
    other = signed(jti="other").split(b".")[2]
    with pytest.raises(SignatureInvalid) as exc:
        verifier.verify(b".".join([header, payload, other]))
    assert _problem(exc) == "signature-invalid"


@pytest.mark.parametrize("offset", [-301, 301, -10_000, 10_000])
def test_clock_skew_both_directions(
    verifier: MessageVerifier, signed: Callable[..., bytes], offset: int
) -> None:
    message = verifier.verify(signed(iat=int(NOW.timestamp()) + offset))  # verify ignores age
    with pytest.raises(ClockSkew) as exc:
        verifier.check_freshness(message)
    assert _problem(exc) == "clock-skew"


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_within_skew_is_fresh(
    verifier: MessageVerifier, signed: Callable[..., bytes], offset: int
) -> None:
    verifier.check_freshness(verifier.verify(signed(iat=int(NOW.timestamp()) + offset)))


def test_malformed_problem_type(verifier: MessageVerifier) -> None:
    from certhub.security import MalformedMessage

    with pytest.raises(MalformedMessage) as exc:
        verifier.verify(b"a.b")
    assert _problem(exc) == "malformed-message"


def test_parse_does_not_need_trust(signed: Callable[..., bytes]) -> None:
    assert parse_compact(signed()).typ == REPORT
