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
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from certhub.schemas.clock import rfc3339

from ._compact import join_compact
from ._encoding import b64url_encode, json_loads
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

__all__ = ["RECEIPT_TYPE", "ReceiptDraft", "ReceiptSigner", "verify_receipt"]

RECEIPT_TYPE = "receipt/v1"
_quote: Callable[[str], str] = json.encoder.encode_basestring  # json_dumps's string quoting
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
        # The members every receipt of this key shares, in sign_compact's order.
        self._header_head = (
            f'{{"alg":{_quote(key.alg)},"kid":{_quote(key.kid)},"typ":"{RECEIPT_TYPE}","iat":'
        )
        self._issuer = _quote(self._hub_id)

    @property
    def key(self) -> SigningKey:
        """The hub key receipts are signed with."""
        return self._key

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
        draft = self.draft(
            message_id=message_id,
            sender=sender,
            digest=digest,
            received_at=received_at,
            message_type=message_type,
        )
        return draft(sequence)

    def draft(
        self,
        *,
        message_id: str,
        sender: str,
        digest: str,
        received_at: datetime,
        message_type: str,
    ) -> ReceiptDraft:
        """A receipt for an accepted message that still waits for its ledger sequence.

        Raises:
            ValueError: ``digest`` is not lowercase SHA-256 hex.
        """
        if not _SHA256_HEX.fullmatch(digest):
            raise ValueError("digest must be lowercase SHA-256 hex")
        return ReceiptDraft(self, message_id, sender, digest, received_at, message_type)

    def signing_input(self, draft: ReceiptDraft, sequence: int) -> bytes:
        """The bytes the signature of ``draft``'s receipt covers at ledger position ``sequence``.

        Raises:
            ValueError: ``sequence`` is negative or not an int, or ``received_at`` is naive.
        """
        if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
            raise ValueError("sequence must be a non-negative int")
        # One template per receipt instead of a general flat-object writer (member pairs,
        # a list, a join): the same text (``json_dumps``'s, property-tested in
        # tests/security/test_json_flat.py), about 40% fewer instructions per receipt.
        # Every header member is valid by construction (``iss`` checked once, ``jti`` by
        # _receipt_id), so the per-message header checks of sign_compact are skipped.
        q = _quote
        payload = (
            f'{{"type":"{RECEIPT_TYPE}","message_id":{q(draft.message_id)},'
            f'"sender":{q(draft.sender)},"message_type":{q(draft.message_type)},'
            f'"sha256":{q(draft.digest)},"ledger_sequence":{sequence:d},'
            f'"received_at":{q(rfc3339(draft.received_at))}}}'
        )
        iat = max(0, int(draft.received_at.timestamp()))
        jti = q(_receipt_id(draft.sender, draft.message_id))
        header = f'{self._header_head}{iat:d},"jti":{jti},"iss":{self._issuer}}}'
        return f"{b64url_encode(header.encode())}.{b64url_encode(payload.encode())}".encode("ascii")


@dataclass(frozen=True, slots=True)
class ReceiptDraft:
    """An accepted message's receipt before the ledger gives it a sequence number.

    Calling it with the sequence signs it here; ``signing_input`` and
    ``finish`` let the signature be made elsewhere (the signature helper).
    """

    signer: ReceiptSigner
    message_id: str
    sender: str
    digest: str
    received_at: datetime
    message_type: str

    def __call__(self, sequence: int) -> str:
        """The signed receipt (compact JWS) for ledger position ``sequence``."""
        signing_input = self.signing_input(sequence)
        return self.finish(signing_input, self.signer.key.sign(signing_input))

    def signing_input(self, sequence: int) -> bytes:
        """The bytes the receipt's signature covers, for ledger position ``sequence``."""
        return self.signer.signing_input(self, sequence)

    @staticmethod
    def finish(signing_input: bytes, signature: bytes) -> str:
        """The compact receipt from its signing input and the signature over it."""
        return join_compact(signing_input, signature).decode("ascii")


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
