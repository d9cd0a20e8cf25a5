"""Scoped tokens: evidence uploads need a sending key and scope ``evidence``, not ``may_read``."""

from __future__ import annotations

import pytest

from certhub.security import (
    NotAuthorized,
    ReadTokenVerifier,
    SigningKey,
    TrustStore,
    issue_read_token,
)

from .conftest import NOW, REPORT, SENDER  # type: ignore[import-not-found]


def _verifier(key: SigningKey, *, may_send: list[str], may_read: bool) -> ReadTokenVerifier:
    store = TrustStore.empty().add(
        key.public_jwk(), sender=SENDER, may_send=may_send, may_read=may_read
    )
    return ReadTokenVerifier(store, clock=lambda: NOW)


def _upload(verifier: ReadTokenVerifier, token: str) -> str:
    return verifier.verify(token, scope="evidence", require_read_permission=False).sender


def test_a_sending_key_with_evidence_scope_is_accepted(sender_key: SigningKey) -> None:
    verifier = _verifier(sender_key, may_send=[REPORT], may_read=False)
    token = issue_read_token(sender_key, sender=SENDER, scope="evidence", now=NOW)
    assert _upload(verifier, token) == SENDER


def test_scopes_are_matched_as_words(sender_key: SigningKey) -> None:
    verifier = _verifier(sender_key, may_send=[REPORT], may_read=True)
    token = issue_read_token(sender_key, sender=SENDER, scope="read evidence", now=NOW)
    assert _upload(verifier, token) == SENDER
    assert verifier.verify(token).sender == SENDER
    lookalike = issue_read_token(sender_key, sender=SENDER, scope="evidence-admin", now=NOW)
    with pytest.raises(NotAuthorized, match="evidence"):
        _upload(verifier, lookalike)


def test_a_read_token_does_not_upload_evidence(sender_key: SigningKey) -> None:
    verifier = _verifier(sender_key, may_send=[REPORT], may_read=True)
    token = issue_read_token(sender_key, sender=SENDER, now=NOW)
    with pytest.raises(NotAuthorized, match="'evidence'"):
        _upload(verifier, token)


def test_an_evidence_token_does_not_read(sender_key: SigningKey) -> None:
    verifier = _verifier(sender_key, may_send=[REPORT], may_read=True)
    token = issue_read_token(sender_key, sender=SENDER, scope="evidence", now=NOW)
    with pytest.raises(NotAuthorized, match="'read'"):
        verifier.verify(token)


def test_a_key_that_may_send_nothing_cannot_upload(sender_key: SigningKey) -> None:
    verifier = _verifier(sender_key, may_send=[], may_read=True)
    token = issue_read_token(sender_key, sender=SENDER, scope="evidence", now=NOW)
    with pytest.raises(NotAuthorized, match="may not send") as exc:
        _upload(verifier, token)
    assert exc.value.slug == "not-authorized"


def test_reading_still_needs_may_read_whatever_the_scope(sender_key: SigningKey) -> None:
    verifier = _verifier(sender_key, may_send=[REPORT], may_read=False)
    token = issue_read_token(sender_key, sender=SENDER, scope="evidence", now=NOW)
    with pytest.raises(NotAuthorized, match="may not read"):
        verifier.verify(token, scope="evidence")
