"""Verification of incoming signed messages against the trust store.

``MessageVerifier.verify`` answers "is this message authentic and may this
sender send it here?". Freshness (``iat`` against the clock) is a separate
step because the hub first looks the exact bytes up in the ledger: an
idempotent re-send must get its old receipt even if it is no longer fresh.
Replay (``jti`` reuse) is the ledger's job.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from certhub.schemas.clock import utc_now

from ._members import DuplicateMember, refuse_duplicate_members
from .errors import (
    AlgorithmMismatch,
    ClockSkew,
    KeyExpired,
    KeyRevoked,
    MalformedMessage,
    SenderMismatch,
    SignatureInvalid,
    TypeNotAllowed,
    TypeNotExpected,
    UnknownKey,
)
from .jws import CompactJWS, parse_compact
from .offload import SignatureHelper
from .trust import TrustedKey, TrustStore

__all__ = ["MessageVerifier", "VerifiedMessage"]


@dataclass(frozen=True, slots=True)
class VerifiedMessage:
    """A message whose signature and sender permissions have been checked."""

    jws: CompactJWS
    trusted: TrustedKey
    raw: bytes
    digest: str

    @property
    def sender(self) -> str:
        """Sender id (equal to the trusted key's sender)."""
        return self.trusted.sender

    @property
    def typ(self) -> str:
        """Schema type of the payload."""
        return self.jws.typ

    @property
    def jti(self) -> str:
        """Message id, unique per sender."""
        return self.jws.jti

    @property
    def iat(self) -> int:
        """Issue time claimed by the sender, epoch seconds."""
        return self.jws.iat

    @property
    def payload(self) -> bytes:
        """The exact signed JSON bytes."""
        return self.jws.payload


class MessageVerifier:
    """Check messages against a trust store.

    Args:
        trust_store: who may send what.
        clock_skew: largest allowed distance between ``iat`` and now.
        clock: returns the current aware datetime (injected for tests).
    """

    def __init__(
        self,
        trust_store: TrustStore,
        *,
        clock_skew: timedelta = timedelta(seconds=300),
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._trust_store = trust_store
        self._clock_skew = clock_skew
        self._clock = clock

    def verify(
        self, raw: bytes, *, allowed_types: Collection[str] | None = None
    ) -> VerifiedMessage:
        """Verify a received message, in the order cheapest and least revealing first.

        Args:
            raw: the exact bytes received.
            allowed_types: the ``typ`` values this endpoint accepts (any if None).

        Raises:
            MalformedMessage, UnknownKey, KeyRevoked, KeyExpired,
            AlgorithmMismatch, SenderMismatch, TypeNotExpected, TypeNotAllowed,
            SignatureInvalid: see ``certhub.security.errors``. A payload that is JSON
            with a member twice in one object is a MalformedMessage.
        """
        jws, trusted = self._admit(raw, allowed_types)
        if not trusted.key.verify(jws.signature, jws.signing_input):
            raise SignatureInvalid("signature does not verify")
        return _verified(jws, trusted, raw)

    async def verify_on(
        self,
        helper: SignatureHelper,
        raw: bytes,
        *,
        allowed_types: Collection[str] | None = None,
    ) -> VerifiedMessage:
        """:meth:`verify`, with the signature arithmetic done by ``helper`` on another core.

        Every trust decision is taken here, before the helper sees the message.
        """
        jws, trusted = self._admit(raw, allowed_types)
        if not await helper.verify(trusted.key, jws.signature, jws.signing_input):
            raise SignatureInvalid("signature does not verify")
        return _verified(jws, trusted, raw)

    def _admit(
        self, raw: bytes, allowed_types: Collection[str] | None
    ) -> tuple[CompactJWS, TrustedKey]:
        """Parse and check everything but the signature itself."""
        jws = parse_compact(raw)
        trusted = self._usable_key(jws.kid)
        if jws.alg != trusted.key.alg:
            raise AlgorithmMismatch(f"header alg {jws.alg}, key {jws.kid!r} is {trusted.key.alg}")
        if jws.sender != trusted.sender:
            raise SenderMismatch(f"header iss {jws.sender!r} does not own key {jws.kid!r}")
        if allowed_types is not None and jws.typ not in allowed_types:
            raise TypeNotExpected(f"this endpoint does not accept {jws.typ!r}")
        if jws.typ not in trusted.may_send:
            raise TypeNotAllowed(f"sender {trusted.sender!r} may not send {jws.typ!r}")
        return jws, trusted

    def check_freshness(self, message: VerifiedMessage) -> None:
        """Check that ``iat`` is within the clock skew of now, in both directions.

        Raises:
            ClockSkew: the message is too old or from the future.
        """
        now = int(self._clock().timestamp())
        skew = int(self._clock_skew.total_seconds())
        if abs(message.iat - now) > skew:
            raise ClockSkew(f"iat {message.iat} is more than {skew}s from hub time {now}")

    def _usable_key(self, kid: str) -> TrustedKey:
        trusted = self._trust_store.get(kid)
        if trusted is None:
            raise UnknownKey(f"kid {kid!r} is not trusted")
        if trusted.revoked:
            raise KeyRevoked(f"key {kid!r} is revoked")
        if trusted.is_expired(self._clock()):
            raise KeyExpired(f"key {kid!r} expired")
        return trusted


def _verified(jws: CompactJWS, trusted: TrustedKey, raw: bytes) -> VerifiedMessage:
    # After the signature: unauthenticated bytes are not worth parsing twice.
    try:
        refuse_duplicate_members(jws.payload)
    except DuplicateMember as exc:
        raise MalformedMessage(f"payload: {exc}; each member may appear once per object") from exc
    digest = hashlib.sha256(raw).hexdigest()
    return VerifiedMessage(jws=jws, trusted=trusted, raw=raw, digest=digest)
