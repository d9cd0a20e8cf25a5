"""Short-lived bearer read tokens (RFC 7519 JWT, signed with the same keys as messages).

A reader signs a token with its own key; the hub accepts it if the key is
trusted with ``may_read``, the audience is the hub, and the token is short-lived.
Evidence uploads use the same tokens with scope ``evidence``, signed by a key
that may send messages (it need not read).

A token reads at most its key's area (:mod:`certhub.security.scopes`); an
``area`` claim narrows it further (a county key minting a token for one
village), and a claim outside the key's area is refused.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from certhub.schemas.clock import require_aware, utc_now

from ._compact import encode_compact, split_compact
from ._encoding import check_json_bounds, json_dumps, json_loads
from ._identifiers import require_sender_id
from .errors import (
    InvalidToken,
    MalformedMessage,
    NotAuthorized,
    TokenExpired,
    TokenKeyExpired,
    TokenKeyRevoked,
)
from .keys import SigningKey
from .scopes import AreaScope, parse_area
from .trust import TrustedKey, TrustStore

__all__ = ["ReadTokenVerifier", "Reader", "issue_read_token"]

_MAX_NUMERIC_DATE = 2**53
CLAIMS_MAX_BYTES = 16 * 1024
"""Read-token claims are a few short members (an ``aud`` list at most); longer is refused."""
CLAIMS_MAX_DEPTH = 8
"""Claims nested deeper are refused before the JSON decoder recurses."""


def issue_read_token(
    key: SigningKey,
    *,
    sender: str,
    lifetime: timedelta = timedelta(minutes=5),
    audience: str = "certhub",
    scope: str = "read",
    now: datetime | None = None,
    area: str | None = None,
) -> str:
    """Issue a signed read token for ``sender``.

    Args:
        key: the reader's signing key (trusted by the hub with ``may_read``).
        sender: the reader's sender id (``iss`` and ``sub``).
        lifetime: time until ``exp``; the hub refuses long-lived tokens.
        audience: ``aud``, the hub id.
        scope: space-separated scopes; the hub requires ``read`` for reads and
            ``evidence`` for evidence uploads.
        now: issue time (defaults to the current time).
        area: an ``area`` claim narrowing what the token reads to a region
            inside the key's area (``None``: the key's whole area).
    """
    iat = int((now or utc_now()).timestamp())
    claims = {
        "iss": require_sender_id(sender),
        "sub": sender,
        "aud": audience,
        "iat": iat,
        "nbf": iat,
        "exp": iat + int(lifetime.total_seconds()),
        "jti": uuid.uuid4().hex,
        "scope": scope,
        **({"area": area} if area is not None else {}),
    }
    header = {"alg": key.alg, "kid": key.kid, "typ": "JWT"}
    return encode_compact(header, json_dumps(claims), key).decode("ascii")


@dataclass(frozen=True, slots=True)
class Reader:
    """Who presented a valid read token."""

    sender: str
    kid: str
    role: str | None
    expires_at: datetime
    area: AreaScope | None = None
    """What the reader may read: ``None`` is the whole province (see :mod:`.scopes`)."""


def _numeric_date(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value < _MAX_NUMERIC_DATE
    ):
        raise InvalidToken(f"claim {name!r} must be a NumericDate")
    return value


class ReadTokenVerifier:
    """Verify bearer read tokens against the trust store.

    Args:
        trust_store: who may read.
        audience: the ``aud`` the token must name.
        max_lifetime: longest accepted ``exp - iat``.
        clock_skew: tolerance for ``iat``/``nbf`` slightly in the future.
        clock: returns the current aware datetime.
    """

    def __init__(
        self,
        trust_store: TrustStore,
        *,
        audience: str = "certhub",
        max_lifetime: timedelta = timedelta(minutes=15),
        clock_skew: timedelta = timedelta(seconds=60),
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._trust_store = trust_store
        self._audience = audience
        self._max_lifetime = max_lifetime.total_seconds()
        self._skew = clock_skew.total_seconds()
        self._clock = clock

    def verify(
        self, token: str, *, scope: str = "read", require_read_permission: bool = True
    ) -> Reader:
        """Verify a token and return who presented it.

        Args:
            token: the compact JWT from the ``Authorization`` header.
            scope: the scope the token's ``scope`` claim must include.
            require_read_permission: the key must be trusted with ``may_read``;
                when ``False`` (e.g. evidence uploads, scope ``evidence``) it must
                instead be allowed to send at least one message type.

        Raises:
            InvalidToken: malformed, not a JWT, unknown key,
                bad signature, wrong issuer or audience, not yet valid, too long-lived.
            TokenExpired: ``exp`` has passed.
            TokenKeyRevoked, TokenKeyExpired: validly signed by a key since revoked, or
                past its ``not_after`` (said only once the signature verifies).
            NotAuthorized: the key lacks the permission asked for, ``scope``
                lacks the scope asked for, or the ``area`` claim is outside
                the key's area.
        """
        trusted, payload = self._signed(token)
        if trusted.revoked:  # told only to whoever holds the key (a phone reported lost)
            raise TokenKeyRevoked(f"key {trusted.kid!r} is revoked")
        if trusted.is_expired(require_aware(self._clock(), "clock")):  # its holder only, too
            raise TokenKeyExpired(f"key {trusted.kid!r} expired")
        try:
            text = payload.decode("utf-8")
            check_json_bounds(text, max_depth=CLAIMS_MAX_DEPTH, max_chars=CLAIMS_MAX_BYTES)
            claims = json_loads(text)
        except ValueError as exc:
            raise InvalidToken(f"claims are not valid JSON: {exc}") from exc
        if not isinstance(claims, dict):
            raise InvalidToken("claims must be a JSON object")
        exp = self._check_claims(claims, trusted)
        _check_permission(claims, trusted, scope, require_read_permission=require_read_permission)
        expires_at = datetime.fromtimestamp(exp, UTC)
        area = _token_area(claims, trusted.area)
        return Reader(trusted.sender, trusted.kid, trusted.role, expires_at, area)

    def signer(self, token: str) -> TrustedKey | None:
        """The trusted key whose valid signature ``token`` carries, whatever else refuses it.

        Names who was refused (a key revoked, or asking beyond its area or scope) for the
        access log; ``None`` when no trusted key signed it (it then names nobody).
        """
        try:
            return self._signed(token)[0]
        except InvalidToken:
            return None

    def _signed(self, token: str) -> tuple[TrustedKey, bytes]:
        """The trusted key that signed ``token``, and its claims' bytes (not yet checked)."""
        try:
            header, payload, signature, signing_input = split_compact(token.encode("ascii"))
        except (MalformedMessage, UnicodeEncodeError, AttributeError) as exc:
            raise InvalidToken(f"malformed token: {exc}") from exc
        if _media_type(header.get("typ")) != "application/jwt":
            raise InvalidToken("header typ must be 'JWT'")
        trusted = self._trusted(header)
        if not trusted.key.verify(signature, signing_input):
            raise InvalidToken("signature does not verify")
        return trusted, payload

    def _trusted(self, header: dict[str, Any]) -> TrustedKey:
        trusted = self._trust_store.get(header["kid"])
        if trusted is None:
            raise InvalidToken(f"kid {header['kid']!r} is not trusted")
        if header["alg"] != trusted.key.alg:
            raise InvalidToken(f"alg {header['alg']} does not match key {trusted.kid!r}")
        return trusted

    def _check_claims(self, claims: dict[str, Any], trusted: TrustedKey) -> float:
        issuer = claims.get("iss")
        if issuer != trusted.sender or claims.get("sub", issuer) != issuer:
            raise InvalidToken("iss/sub do not name the key's sender")
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if self._audience not in audiences:
            raise InvalidToken(f"token is not for audience {self._audience!r}")
        now = self._clock().timestamp()
        exp = _numeric_date(claims, "exp")
        iat = _numeric_date(claims, "iat")
        nbf = _numeric_date(claims, "nbf") if "nbf" in claims else iat
        if exp <= now:
            raise TokenExpired("token has expired")
        if max(iat, nbf) > now + self._skew:
            raise InvalidToken("token is not valid yet (iat/nbf in the future)")
        if exp - iat > self._max_lifetime:
            raise InvalidToken(f"token lifetime exceeds {int(self._max_lifetime)}s")
        return exp


def _media_type(typ: object) -> str | None:
    """A ``typ`` as the media type it names (RFC 7515 §4.1.9): case-insensitive, and
    ``application/`` prepended when it has no ``/`` (``JWT`` is ``application/jwt``)."""
    if not isinstance(typ, str) or not typ.isascii():  # media types are ASCII
        return None
    name = typ.lower()
    return name if "/" in name else f"application/{name}"


def _token_area(claims: dict[str, Any], key_area: AreaScope | None) -> AreaScope | None:
    """The area the token reads: its ``area`` claim if any, which must lie in the key's."""
    if "area" not in claims:
        return key_area
    try:
        area = parse_area(claims["area"])
    except ValueError as exc:
        raise InvalidToken(f"claim 'area' is not a region code: {exc}") from exc
    if key_area is not None and not key_area.contains(area):
        raise NotAuthorized(f"claim 'area' {area.code} is outside the key's area {key_area.code}")
    return area


def _check_permission(
    claims: dict[str, Any], trusted: TrustedKey, scope: str, *, require_read_permission: bool
) -> None:
    if require_read_permission and not trusted.may_read:
        raise NotAuthorized(f"sender {trusted.sender!r} may not read")
    if not require_read_permission and not trusted.may_send:
        raise NotAuthorized(f"sender {trusted.sender!r} may not send anything")
    granted = claims.get("scope")
    if not isinstance(granted, str) or scope not in granted.split():
        raise NotAuthorized(f"token scope does not include {scope!r}")
