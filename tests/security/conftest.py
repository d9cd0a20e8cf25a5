"""Shared fixtures: one sender key per algorithm, a trust store and a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from certhub.security import Algorithm, MessageVerifier, SigningKey, TrustStore, sign_compact

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
REPORT = "eligibility_report/v1"
SENDER = "yunfu-platform"
PAYLOAD = b'{"type":"eligibility_report/v1","reason":"death"}'


@pytest.fixture(params=["EdDSA", "ES256"])
def alg(request: pytest.FixtureRequest) -> Algorithm:
    """Both wire algorithms."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def sender_key(alg: Algorithm) -> SigningKey:
    """A fresh sender key for the parametrised algorithm."""
    return SigningKey.generate(alg)


@pytest.fixture
def store(sender_key: SigningKey) -> TrustStore:
    """A store trusting ``sender_key`` to send reports and read."""
    return TrustStore.empty().add(
        sender_key.public_jwk(), sender=SENDER, may_send=[REPORT], may_read=True, role="city"
    )


@pytest.fixture
def verifier(store: TrustStore) -> MessageVerifier:
    """A verifier over ``store`` with the clock fixed at NOW."""
    return MessageVerifier(store, clock=lambda: NOW)


@pytest.fixture
def signed(sender_key: SigningKey) -> Callable[..., bytes]:
    """Sign PAYLOAD as SENDER at NOW; keyword arguments override."""

    def sign(**overrides: object) -> bytes:
        args: dict[str, object] = {
            "key": sender_key,
            "typ": REPORT,
            "sender": SENDER,
            "iat": int(NOW.timestamp()),
        }
        args.update(overrides)
        return sign_compact(PAYLOAD, **args)  # type: ignore[arg-type]

    return sign
