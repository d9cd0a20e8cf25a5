"""Signed receipts the hub returns for every accepted message.

A receipt is a compact JWS (``typ`` ``receipt/v1``, ``iss`` the hub id) over::

    {"type": "receipt/v1", "message_id": ..., "sender": ..., "message_type": ...,
     "sha256": ..., "ledger_sequence": ..., "received_at": "...Z"}

With Ed25519 the same inputs always give the same bytes (``iat`` is
``received_at`` and ``jti`` derives from sender and message id), so a re-sent
message gets back exactly the receipt it got the first time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ._clock import rfc3339
from ._compact import encode_compact
from ._encoding import json_dumps, json_loads
from ._identifiers import is_message_id, require_sender_id
from .errors import (
    AlgorithmMismatch,
    InvalidKeyError,
    MalformedMessage,
    SignatureInvalid,
    UnknownKey,
)
from .jws import parse_compact
from .keys import SigningKey, VerifyingKey

__all__ = ["RECEIPT_TYPE", "ReceiptSigner", "verify_receipt"]

RECEIPT_TYPE = "receipt/v1"
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def _receipt_id(sender: str, message_id: str) -> str:
    """``receipt:<sender>:<message_id>``, or a digest of it if that is not a valid jti."""
    jti = f"receipt:{sender}:{message_id}"
    if is_message_id(jti):
        return jti
    return "receipt:sha256:" + hashlib.sha256(f"{sender}\n{message_id}".encode()).hexdigest()


class ReceiptSigner:
    """Sign receipts with the hub's active key.

    Args:
        key: the hub signing key.
        hub_id: written as ``iss``.
    """

    def __init__(self, key: SigningKey, *, hub_id: str = "certhub") -> None:
        self._key = key
        self._hub_id = require_sender_id(hub_id)

    def sign(
        self,
        *,
        message_id: str,
        sender: str,
        digest: str,
        sequence: int,
        received_at: datetime,
        message_type: str,
    ) -> str:
        """Return the compact JWS receipt for an accepted message.

        Raises:
            ValueError: ``digest`` is not lowercase SHA-256 hex, ``sequence`` is
                negative or not an int, or ``received_at`` is naive.
        """
        if not _SHA256_HEX.fullmatch(digest):
            raise ValueError("digest must be lowercase SHA-256 hex")
        if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
            raise ValueError("sequence must be a non-negative int")
        payload = {
            "type": RECEIPT_TYPE,
            "message_id": message_id,
            "sender": sender,
            "message_type": message_type,
            "sha256": digest,
            "ledger_sequence": sequence,
            "received_at": rfc3339(received_at),
        }
        # Every header member is valid by construction (``iss`` checked once, ``jti``
        # by _receipt_id), so the per-message header checks of sign_compact are skipped:
        # this runs for every accepted message. Member order as sign_compact's.
        header = {
            "alg": self._key.alg,
            "kid": self._key.kid,
            "typ": RECEIPT_TYPE,
            "iat": max(0, int(received_at.timestamp())),
            "jti": _receipt_id(sender, message_id),
            "iss": self._hub_id,
        }
        return encode_compact(header, json_dumps(payload), self._key).decode("ascii")


def _find_key(jwks: Mapping[str, Any], kid: str) -> VerifyingKey:
    keys = jwks.get("keys")
    if not isinstance(keys, list):
        raise UnknownKey("JWK Set has no 'keys' list")
    for jwk in keys:
        if isinstance(jwk, Mapping) and jwk.get("kid") == kid:
            try:
                return VerifyingKey.from_jwk(jwk)
            except InvalidKeyError as exc:
                raise UnknownKey(f"key {kid!r} in the JWK Set is unusable: {exc}") from exc
    raise UnknownKey(f"kid {kid!r} is not in the JWK Set")


def verify_receipt(
    token: str, jwks: Mapping[str, Any], *, hub_id: str | None = None
) -> dict[str, Any]:
    """Verify a receipt against the hub's published JWK Set and return its payload.

    Args:
        token: the compact JWS receipt.
        jwks: the hub's JWK Set (``GET /.well-known/jwks.json``).
        hub_id: if given, the ``iss`` the receipt must carry.

    Raises:
        MalformedMessage: not a receipt in our profile.
        UnknownKey: its ``kid`` is not in ``jwks``.
        AlgorithmMismatch: header ``alg`` differs from the key's.
        SignatureInvalid: the signature does not verify.
    """
    try:
        jws = parse_compact(token.encode("ascii"))
    except UnicodeEncodeError as exc:
        raise MalformedMessage("receipt must be ASCII") from exc
    if jws.typ != RECEIPT_TYPE:
        raise MalformedMessage(f"typ {jws.typ!r} is not {RECEIPT_TYPE!r}")
    if hub_id is not None and jws.sender != hub_id:
        raise MalformedMessage(f"receipt issued by {jws.sender!r}, expected {hub_id!r}")
    key = _find_key(jwks, jws.kid)
    if key.alg != jws.alg:
        raise AlgorithmMismatch(f"header alg {jws.alg}, key {key.kid!r} is {key.alg}")
    if not key.verify(jws.signature, jws.signing_input):
        raise SignatureInvalid("receipt signature does not verify")
    try:
        payload = json_loads(jws.payload)
    except ValueError as exc:
        raise MalformedMessage(f"receipt payload is not JSON: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("type") != RECEIPT_TYPE:
        raise MalformedMessage("receipt payload is not a receipt/v1 object")
    return payload
