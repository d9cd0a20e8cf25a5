"""Errors raised by the security package.

Every error is a :class:`schemas.Refusal` whose stable problem ``slug`` is
fixed by its class, so the hub turns any of them into an RFC 9457 problem
through its one catalogue (which alone decides HTTP statuses and titles).
All of them are *permanent*: retrying the same input gives the same answer.
The slugs of ``InvalidKeyError``, ``KeyFileError`` and ``TrustStoreError``
are not in the hub's catalogue: raised while serving a request, they are the
hub's own failure (``internal-error``).

Hierarchy::

    Refusal                        (schemas)
    └── SecurityError
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
        │   ├── TokenKeyRevoked        validly signed by a revoked key
        │   ├── TokenKeyExpired        validly signed by a key past its ``not_after``
        │   └── NotAuthorized          the key's owner may not read
        ├── InvalidKeyError            a JWK or PEM does not hold a usable key
        ├── KeyFileError               a key file cannot be read or written
        └── TrustStoreError            the trust store file is unusable
"""

# The leaf names (MalformedMessage, UnknownKey, ...) are the agreed public API and read as
# outcomes; an "Error" suffix on each would add noise, hence the file-wide N818 waiver.

from __future__ import annotations

from certhub.schemas import Refusal

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
    "TokenKeyExpired",
    "TokenKeyRevoked",
    "TrustStoreError",
    "TypeNotAllowed",
    "TypeNotExpected",
    "UnknownKey",
]


class SecurityError(Refusal):
    """Root of every error raised by ``security``; its slug is fixed by its class.

    Args:
        detail: what exactly went wrong, safe to show to the sender (never
            contains key material or personal data).
    """

    slug = "security-error"

    def __init__(self, detail: str) -> None:
        super().__init__(type(self).slug, detail)


class MessageError(SecurityError):
    """A signed message was refused; nothing of it may be stored."""

    slug = "message-error"


class MalformedMessage(MessageError):
    """The message is not a well-formed compact JWS in the certhub profile."""

    slug = "malformed-message"


class UnknownKey(MessageError):
    """The ``kid`` is not in the trust store."""

    slug = "unknown-key"


class KeyRevoked(MessageError):
    """The signing key has been revoked."""

    slug = "key-revoked"


class KeyExpired(MessageError):
    """The signing key is past its ``not_after``."""

    slug = "key-expired"


class AlgorithmMismatch(MessageError):
    """The header ``alg`` is not the algorithm the trusted key is bound to."""

    slug = "algorithm-mismatch"


class SenderMismatch(MessageError):
    """The header ``iss`` is not the sender the key belongs to."""

    slug = "sender-mismatch"


class TypeNotExpected(MessageError):
    """The endpoint does not accept messages of this ``typ``."""

    slug = "type-not-expected"


class TypeNotAllowed(MessageError):
    """The sender is not allowed to send messages of this ``typ``."""

    slug = "type-not-allowed"


class SignatureInvalid(MessageError):
    """The signature does not verify over the received bytes."""

    slug = "signature-invalid"


class ClockSkew(MessageError):
    """The message ``iat`` is outside the allowed clock skew."""

    slug = "clock-skew"


class TokenError(SecurityError):
    """A bearer read token was refused."""

    slug = "token-error"


class InvalidToken(TokenError):
    """The token is malformed, signed by an unusable key, or its claims are wrong."""

    slug = "invalid-token"


class TokenKeyRevoked(TokenError):
    """The token is signed (validly) by a key that has been revoked: a lost phone, say.

    Said only once the signature verifies, so only the key's holder learns it.
    """

    slug = "token-key-revoked"


class TokenKeyExpired(TokenError):
    """The token is signed (validly) by a key past its ``not_after``: an enrolment's year is up.

    Said only once the signature verifies, so only the key's holder learns it;
    unlike a revoked key (a lost phone), the phone is still its coordinator's,
    and what it has not sent yet is worth keeping until it is enrolled again.
    """

    slug = "token-key-expired"


class TokenExpired(TokenError):
    """The token's ``exp`` has passed."""

    slug = "token-expired"


class NotAuthorized(TokenError):
    """The token is valid but its holder may not read."""

    slug = "not-authorized"


class InvalidKeyError(SecurityError):
    """A JWK or PEM does not describe a usable Ed25519 or P-256 key."""

    slug = "invalid-key"


class KeyFileError(SecurityError):
    """A key file cannot be read, parsed or written (or already exists)."""

    slug = "key-file-error"


class TrustStoreError(SecurityError):
    """The trust store file or an entry in it is unusable."""

    slug = "trust-store-error"
