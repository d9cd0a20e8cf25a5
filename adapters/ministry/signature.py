"""Verifying the ministry's Ed25519 signature over the exact bytes of each answer."""

from __future__ import annotations

import json
from pathlib import Path

from certhub.security import InvalidKeyError, VerifyingKey, b64url_decode

from ..errors import AdapterSetupError, SignatureRejected

__all__ = ["SIGNATURE_HEADER", "AnswerVerifier"]

SIGNATURE_HEADER = "X-Ministry-Signature"


class AnswerVerifier:
    """Checks ``X-Ministry-Signature`` (base64url, no padding) against the ministry's key."""

    def __init__(self, key: VerifyingKey) -> None:
        self.key = key

    @classmethod
    def from_file(cls, path: Path) -> AnswerVerifier:
        """Load the ministry's public JWK from ``path``.

        Raises:
            AdapterSetupError: the file is missing or holds no usable key.
        """
        try:
            return cls(VerifyingKey.from_jwk(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, InvalidKeyError) as exc:
            raise AdapterSetupError(f"ministry key {path.name}: {type(exc).__name__}") from exc

    def check(self, body: bytes, header: str | None) -> None:
        """Return if ``header`` signs ``body``.

        Raises:
            SignatureRejected: header missing, undecodable or not a valid signature.
        """
        if not header:
            raise SignatureRejected("answer is not signed")
        try:
            signature = b64url_decode(header)
        except ValueError:
            raise SignatureRejected("signature header is not base64url") from None
        if not self.key.verify(signature, body):
            raise SignatureRejected("signature does not verify")
