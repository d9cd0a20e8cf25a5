"""Errors raised by the security package.

Every error carries a stable ``problem_type`` slug, a human ``title`` and the
HTTP status the hub answers with, so the hub can turn any of them into an
RFC 9457 problem document without a lookup table of its own. All of them are
*permanent*: retrying the same input gives the same answer.

Hierarchy::

    SecurityError
    ├── MessageError               a signed message was refused
    │   ├── MalformedMessage       not a well-formed JWS in our profile
    │   ├── UnknownKey             ``kid`` not in the trust store
    │   ├── KeyRevoked             the key was revoked
    │   ├── KeyExpired             the key is past its ``not_after``
    │   ├── AlgorithmMismatch      header ``alg`` differs from the key's
    │   ├── SenderMismatch         header ``iss`` is not the key's sender
    │   ├── TypeNotExpected        this endpoint does not take that ``typ``
    │   ├── TypeNotAllowed         the sender may not send that ``typ``
    │   ├── SignatureInvalid       the signature does not verify
    │   └── ClockSkew              ``iat`` too far from the hub's clock
    ├── TokenError                 a bearer read token was refused
    │   ├── InvalidToken           malformed, unknown key, bad signature, ...
    │   ├── TokenExpired           ``exp`` has passed
    │   └── NotAuthorized          the key's owner may not read
    ├── InvalidKeyError            a JWK or PEM does not hold a usable key
    ├── KeyFileError               a key file cannot be read or written
    └── TrustStoreError            the trust store file is unusable
"""

# The leaf names (MalformedMessage, UnknownKey, ...) are the agreed public API and read as
# outcomes; an "Error" suffix on each would add noise, hence the file-wide N818 waiver.

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AlgorithmMismatch",
    "ClockSkew",
    "InvalidKeyError",
    "InvalidToken",
    "KeyExpired",
    "KeyFileError",
    "KeyRevoked",
    "MalformedMessage",
    "MessageError",
    "NotAuthorized",
    "SecurityError",
    "SenderMismatch",
    "SignatureInvalid",
    "TokenError",
    "TokenExpired",
    "TrustStoreError",
    "TypeNotAllowed",
    "TypeNotExpected",
    "UnknownKey",
]


class SecurityError(Exception):
    """Root of every error raised by ``security``.

    Args:
        detail: what exactly went wrong, safe to show to the sender (never
            contains key material or personal data).
    """

    problem_type: ClassVar[str] = "security-error"
    title: ClassVar[str] = "Security check failed"
    http_status: ClassVar[int] = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


class MessageError(SecurityError):
    """A signed message was refused; nothing of it may be stored."""

    problem_type = "message-error"
    title = "Message rejected"


class MalformedMessage(MessageError):
    """The message is not a well-formed compact JWS in the certhub profile."""

    problem_type = "malformed-message"
    title = "Malformed message"
    http_status = 400


class UnknownKey(MessageError):
    """The ``kid`` is not in the trust store."""

    problem_type = "unknown-key"
    title = "Unknown signing key"
    http_status = 401


class KeyRevoked(MessageError):
    """The signing key has been revoked."""

    problem_type = "key-revoked"
    title = "Signing key revoked"
    http_status = 401


class KeyExpired(MessageError):
    """The signing key is past its ``not_after``."""

    problem_type = "key-expired"
    title = "Signing key expired"
    http_status = 401


class AlgorithmMismatch(MessageError):
    """The header ``alg`` is not the algorithm the trusted key is bound to."""

    problem_type = "algorithm-mismatch"
    title = "Algorithm does not match the key"
    http_status = 400


class SenderMismatch(MessageError):
    """The header ``iss`` is not the sender the key belongs to."""

    problem_type = "sender-mismatch"
    title = "Sender does not match the key"
    http_status = 403


class TypeNotExpected(MessageError):
    """The endpoint does not accept messages of this ``typ``."""

    problem_type = "type-not-expected"
    title = "Message type not expected here"
    http_status = 400


class TypeNotAllowed(MessageError):
    """The sender is not allowed to send messages of this ``typ``."""

    problem_type = "type-not-allowed"
    title = "Sender may not send this message type"
    http_status = 403


class SignatureInvalid(MessageError):
    """The signature does not verify over the received bytes."""

    problem_type = "signature-invalid"
    title = "Invalid signature"
    http_status = 401


class ClockSkew(MessageError):
    """The message ``iat`` is outside the allowed clock skew."""

    problem_type = "clock-skew"
    title = "Message time outside allowed clock skew"
    http_status = 400


class TokenError(SecurityError):
    """A bearer read token was refused."""

    problem_type = "token-error"
    title = "Token rejected"
    http_status = 401


class InvalidToken(TokenError):
    """The token is malformed, signed by an unusable key, or its claims are wrong."""

    problem_type = "invalid-token"
    title = "Invalid token"
    http_status = 401


class TokenExpired(TokenError):
    """The token's ``exp`` has passed."""

    problem_type = "token-expired"
    title = "Token expired"
    http_status = 401


class NotAuthorized(TokenError):
    """The token is valid but its holder may not read."""

    problem_type = "not-authorized"
    title = "Not authorized to read"
    http_status = 403


class InvalidKeyError(SecurityError):
    """A JWK or PEM does not describe a usable Ed25519 or P-256 key."""

    problem_type = "invalid-key"
    title = "Invalid key"
    http_status = 400


class KeyFileError(SecurityError):
    """A key file cannot be read, parsed or written (or already exists)."""

    problem_type = "key-file-error"
    title = "Key file error"
    http_status = 500


class TrustStoreError(SecurityError):
    """The trust store file or an entry in it is unusable."""

    problem_type = "trust-store-error"
    title = "Trust store error"
    http_status = 500
