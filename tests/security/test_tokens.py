"""Read tokens: issue/verify, and each refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from certhub.security import (
    InvalidToken,
    NotAuthorized,
    ReadTokenVerifier,
    SigningKey,
    TokenExpired,
    TokenKeyExpired,
    TokenKeyRevoked,
    TrustStore,
    issue_read_token,
)
from certhub.security._compact import encode_compact
from certhub.security._encoding import json_dumps

from .conftest import NOW, REPORT, SENDER  # type: ignore[import-not-found]


@pytest.fixture
def reader_verifier(store: TrustStore) -> ReadTokenVerifier:
    """Verifier with the clock fixed at NOW."""
    return ReadTokenVerifier(store, clock=lambda: NOW)


def _token(key: SigningKey, **claims: object) -> str:
    iat = int(NOW.timestamp())
    body = {
        "iss": SENDER,
        "sub": SENDER,
        "aud": "certhub",
        "iat": iat,
        "nbf": iat,
        "exp": iat + 300,
        "jti": "t1",
        "scope": "read",
        **claims,
    }
    header = {"alg": key.alg, "kid": key.kid, "typ": "JWT"}
    return encode_compact(header, json_dumps(body), key).decode()


def test_issue_and_verify(reader_verifier: ReadTokenVerifier, sender_key: SigningKey) -> None:
    reader = reader_verifier.verify(issue_read_token(sender_key, sender=SENDER, now=NOW))
    assert (reader.sender, reader.kid, reader.role) == (SENDER, sender_key.kid, "city")
    assert reader.expires_at == NOW + timedelta(minutes=5)


def test_expired(reader_verifier: ReadTokenVerifier, sender_key: SigningKey) -> None:
    token = issue_read_token(sender_key, sender=SENDER, now=NOW - timedelta(minutes=6))
    with pytest.raises(TokenExpired) as exc:
        reader_verifier.verify(token)
    assert exc.value.slug == "token-expired"


def test_long_lived_refused(reader_verifier: ReadTokenVerifier, sender_key: SigningKey) -> None:
    token = issue_read_token(sender_key, sender=SENDER, lifetime=timedelta(hours=1), now=NOW)
    with pytest.raises(InvalidToken, match="lifetime") as exc:
        reader_verifier.verify(token)
    assert exc.value.slug == "invalid-token"


def test_reader_without_may_read(sender_key: SigningKey) -> None:
    store = TrustStore.empty().add(sender_key.public_jwk(), sender=SENDER, may_send=[REPORT])
    with pytest.raises(NotAuthorized) as exc:
        ReadTokenVerifier(store, clock=lambda: NOW).verify(_token(sender_key))
    assert exc.value.slug == "not-authorized"


def test_scope_without_read(reader_verifier: ReadTokenVerifier, sender_key: SigningKey) -> None:
    with pytest.raises(NotAuthorized):
        reader_verifier.verify(_token(sender_key, scope="write"))


@pytest.mark.parametrize(
    ("claims", "match"),
    [
        ({"aud": "someone-else"}, "audience"),
        ({"aud": ["x", "y"]}, "audience"),
        ({"iss": "other-sender"}, "iss"),
        ({"sub": "other-sender"}, "sub"),
        ({"iat": int(NOW.timestamp()) + 120, "exp": int(NOW.timestamp()) + 400}, "future"),
        ({"nbf": int(NOW.timestamp()) + 120}, "future"),
        ({"exp": "soon"}, "exp"),
        ({"iat": True}, "iat"),
    ],
)
def test_bad_claims(
    reader_verifier: ReadTokenVerifier,
    sender_key: SigningKey,
    claims: dict[str, object],
    match: str,
) -> None:
    with pytest.raises(InvalidToken, match=match):
        reader_verifier.verify(_token(sender_key, **claims))


def test_small_future_skew_tolerated(
    reader_verifier: ReadTokenVerifier, sender_key: SigningKey
) -> None:
    token = issue_read_token(sender_key, sender=SENDER, now=NOW + timedelta(seconds=30))
    reader_verifier.verify(token)


def test_audience_list_accepted(reader_verifier: ReadTokenVerifier, sender_key: SigningKey) -> None:
    reader_verifier.verify(_token(sender_key, aud=["other", "certhub"]))


def test_key_state_and_form(store: TrustStore, sender_key: SigningKey) -> None:
    token = issue_read_token(sender_key, sender=SENDER, now=NOW)
    with pytest.raises(TokenKeyRevoked, match="revoked"):
        ReadTokenVerifier(store.revoke(sender_key.kid), clock=lambda: NOW).verify(token)
    forged = token.rsplit(".", 1)[0] + "." + issue_read_token(sender_key, sender="x").split(".")[2]
    with pytest.raises(InvalidToken, match="signature"):  # revocation is told to the key only
        ReadTokenVerifier(store.revoke(sender_key.kid), clock=lambda: NOW).verify(forged)
    with pytest.raises(InvalidToken, match="not trusted"):
        ReadTokenVerifier(TrustStore.empty(), clock=lambda: NOW).verify(token)
    verifier = ReadTokenVerifier(store, clock=lambda: NOW)
    with pytest.raises(InvalidToken, match="malformed"):
        verifier.verify("abc")
    with pytest.raises(InvalidToken, match="malformed"):
        verifier.verify("ünïcode.a.b")
    head, body, _sig = token.split(".")
    other_sig = issue_read_token(sender_key, sender=SENDER, now=NOW).split(".")[2]
    with pytest.raises(InvalidToken, match="signature"):
        verifier.verify(f"{head}.{body}.{other_sig}")


def test_message_is_not_a_token(store: TrustStore, sender_key: SigningKey) -> None:
    from certhub.security import sign_compact

    message = sign_compact(b"{}", key=sender_key, typ=REPORT, sender=SENDER).decode()
    with pytest.raises(InvalidToken, match="typ"):
        ReadTokenVerifier(store, clock=lambda: NOW).verify(message)


def test_a_key_past_its_not_after_is_told_to_its_holder(sender_key: SigningKey) -> None:
    """An enrolment's year up is not a lost phone: the holder is told which it is, so the
    phone keeps what it has not sent (a wrong signature learns only invalid-token)."""
    store = TrustStore.empty().add(
        sender_key.public_jwk(), sender=SENDER, may_send=[REPORT], may_read=True, not_after=NOW
    )
    token = issue_read_token(sender_key, sender=SENDER, now=NOW)
    with pytest.raises(TokenKeyExpired, match="expired") as exc:
        ReadTokenVerifier(store, clock=lambda: NOW).verify(token)
    assert exc.value.slug == "token-key-expired"
    forged = token.rsplit(".", 1)[0] + "." + issue_read_token(sender_key, sender="x").split(".")[2]
    with pytest.raises(InvalidToken, match="signature"):
        ReadTokenVerifier(store, clock=lambda: NOW).verify(forged)
