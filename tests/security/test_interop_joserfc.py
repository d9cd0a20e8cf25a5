"""Interoperability with joserfc, an independent JOSE implementation."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from joserfc import jws, jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, KeySet, OKPKey
from joserfc.jws import JWSRegistry

from certhub.security import (
    HubKeyring,
    MessageVerifier,
    ReadTokenVerifier,
    ReceiptSigner,
    SigningKey,
    TrustStore,
    issue_read_token,
    sign_compact,
)

from .conftest import PAYLOAD, REPORT, SENDER  # type: ignore[import-not-found]

ALGS = ["EdDSA", "ES256"]
# joserfc only knows the standard header members, so our iat/jti/iss need the lenient mode.
REGISTRY = JWSRegistry(algorithms=ALGS, strict_check_header=False)


@pytest.fixture(autouse=True)
def _quiet_eddsa_deprecation() -> Iterator[None]:
    # joserfc warns that "EdDSA" is superseded by "Ed25519" (RFC 9864); our wire format is fixed.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=SecurityWarning)
        yield


def _joserfc_key(alg: str) -> OKPKey | ECKey:
    if alg == "EdDSA":
        return OKPKey.generate_key("Ed25519")
    return ECKey.generate_key("P-256")


def _public(key: OKPKey | ECKey, alg: str) -> dict[str, Any]:
    return {**key.as_dict(private=False), "alg": alg}


@pytest.mark.parametrize("alg", ALGS)
def test_joserfc_signed_message_verifies_here(alg: str) -> None:
    key = _joserfc_key(alg)
    kid = key.thumbprint()
    header = {
        "alg": alg,
        "kid": kid,
        "typ": REPORT,
        "iat": int(time.time()),
        "jti": "m-1",
        "iss": SENDER,
    }
    token = jws.serialize_compact(header, PAYLOAD, key, registry=REGISTRY)
    store = TrustStore.empty().add(_public(key, alg), sender=SENDER, may_send=[REPORT])
    verifier = MessageVerifier(store)
    message = verifier.verify(token.encode())
    verifier.check_freshness(message)
    assert message.payload == PAYLOAD
    assert message.trusted.kid == kid


@pytest.mark.parametrize("alg", ALGS)
def test_our_message_verifies_in_joserfc(alg: str) -> None:
    key = SigningKey.generate(alg)  # type: ignore[arg-type]
    token = sign_compact(PAYLOAD, key=key, typ=REPORT, sender=SENDER, jti="m-2")
    their_key = (
        OKPKey.import_key(key.public_jwk())
        if alg == "EdDSA"
        else ECKey.import_key(key.public_jwk())
    )
    result = jws.deserialize_compact(token, their_key, registry=REGISTRY)
    assert result.payload == PAYLOAD
    assert result.headers()["iss"] == SENDER
    assert their_key.thumbprint() == key.kid  # our kid is the RFC 7638 thumbprint


@pytest.mark.parametrize("alg", ALGS)
def test_receipt_verifies_in_joserfc_with_hub_jwks(alg: str, tmp_path: Path) -> None:
    keyring = HubKeyring.load_or_create(tmp_path, alg=alg)  # type: ignore[arg-type]
    keyring.rotate()
    receipt = ReceiptSigner(keyring.active).sign(
        message_id="m-1",
        sender=SENDER,
        digest="0" * 64,
        sequence=7,
        received_at=datetime(2025, 3, 1, tzinfo=UTC),
        message_type=REPORT,
    )
    key_set = KeySet.import_key_set(keyring.jwks())  # type: ignore[arg-type]
    result = jws.deserialize_compact(receipt, key_set, registry=REGISTRY)
    assert result.headers()["typ"] == "receipt/v1"
    assert b'"ledger_sequence":7' in result.payload


@pytest.mark.parametrize("alg", ALGS)
def test_our_read_token_verifies_in_joserfc(alg: str) -> None:
    key = SigningKey.generate(alg)  # type: ignore[arg-type]
    token = issue_read_token(key, sender="province")
    their_key = KeySet.import_key_set({"keys": [key.public_jwk()]})  # type: ignore[list-item]
    decoded = jwt.decode(token, their_key, algorithms=ALGS)
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": "province"}, aud={"essential": True, "value": "certhub"}
    ).validate(decoded.claims)
    assert decoded.header["typ"] == "JWT"


@pytest.mark.parametrize("alg", ALGS)
def test_joserfc_read_token_verifies_here(alg: str) -> None:
    key = _joserfc_key(alg)
    now = int(time.time())
    claims = {
        "iss": "province",
        "sub": "province",
        "aud": "certhub",
        "iat": now,
        "nbf": now,
        "exp": now + 120,
        "jti": "t-1",
        "scope": "read",
    }
    token = jwt.encode({"alg": alg, "kid": key.thumbprint()}, claims, key, algorithms=ALGS)
    store = TrustStore.empty().add(
        _public(key, alg), sender="province", may_send=[], may_read=True, role="province"
    )
    reader = ReadTokenVerifier(store).verify(token)
    assert (reader.sender, reader.role) == ("province", "province")
