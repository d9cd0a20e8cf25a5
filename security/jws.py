"""Signed certhub messages: JWS compact serialization with our protected header.

Header members: ``alg``, ``kid``, ``typ`` (schema type), ``iat`` (int seconds),
``jti`` (message id, unique per sender) and ``iss`` (sender id, replicated
from the claims as RFC 7519 §5.3 allows). The payload is the exact JSON bytes.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ._compact import encode_compact, split_compact
from ._identifiers import is_message_id, is_sender_id
from .errors import MalformedMessage
from .keys import Algorithm, SigningKey

__all__ = ["MAX_IAT", "CompactJWS", "parse_compact", "sign_compact"]

MAX_IAT = 2**53 - 1
"""Largest ``iat`` accepted: the JSON integer range every implementation agrees on."""
_MAX_TYP_LENGTH = 128


@dataclass(frozen=True, slots=True)
class CompactJWS:
    """A parsed, not yet verified, message. ``signing_input`` is the exact received bytes."""

    header: Mapping[str, Any]
    payload: bytes
    signature: bytes
    signing_input: bytes

    @property
    def kid(self) -> str:
        """Key id named by the sender."""
        return str(self.header["kid"])

    @property
    def alg(self) -> Algorithm:
        """Signature algorithm named in the header (already limited to ours)."""
        return "EdDSA" if self.header["alg"] == "EdDSA" else "ES256"

    @property
    def typ(self) -> str:
        """Schema type of the payload, e.g. ``eligibility_report/v1``."""
        return str(self.header["typ"])

    @property
    def jti(self) -> str:
        """Message id, unique per sender."""
        return str(self.header["jti"])

    @property
    def iat(self) -> int:
        """Issue time in seconds since the epoch, as claimed by the sender."""
        return int(self.header["iat"])

    @property
    def sender(self) -> str:
        """Sender id from the ``iss`` header member."""
        return str(self.header["iss"])


def _check_typ(typ: object) -> str:
    if not isinstance(typ, str) or not 0 < len(typ) <= _MAX_TYP_LENGTH or not typ.isprintable():
        raise MalformedMessage(f"typ must be 1-{_MAX_TYP_LENGTH} printable characters")
    return typ


def _check_message_header(header: Mapping[str, Any]) -> None:
    _check_typ(header.get("typ"))
    iat = header.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool) or not 0 <= iat <= MAX_IAT:
        raise MalformedMessage("header iat must be a non-negative integer (seconds)")
    if not is_message_id(header.get("jti")):
        raise MalformedMessage("header jti must match [A-Za-z0-9_.:-]{1,128}")
    if not is_sender_id(header.get("iss")):
        raise MalformedMessage("header iss must be a sender id [A-Za-z0-9_.:@-]{1,64}")


def sign_compact(
    payload: bytes,
    *,
    key: SigningKey,
    typ: str,
    sender: str,
    jti: str | None = None,
    iat: int | None = None,
) -> bytes:
    """Sign a message payload and return the compact JWS as ASCII bytes.

    Args:
        payload: the exact UTF-8 JSON bytes to send.
        key: the sender's signing key; its ``kid`` and ``alg`` go in the header.
        typ: schema type string of the payload.
        sender: sender id, written as ``iss``.
        jti: message id; a random UUID (hex) by default.
        iat: issue time in epoch seconds; now by default.

    Raises:
        MalformedMessage: an argument would produce a header ``parse_compact`` refuses.
    """
    header: dict[str, Any] = {
        "alg": key.alg,
        "kid": key.kid,
        "typ": typ,
        "iat": int(time.time()) if iat is None else iat,
        "jti": uuid.uuid4().hex if jti is None else jti,
        "iss": sender,
    }
    _check_message_header(header)
    return encode_compact(header, payload, key)


def parse_compact(token: bytes) -> CompactJWS:
    """Parse a message strictly, without verifying its signature.

    Raises:
        MalformedMessage: wrong segment count, padding or non-base64url
            characters, a header that is not a duplicate-free JSON object, a
            forbidden member (``crit``, ``jku``, ``jwk``, ``x5u``, ``x5c``,
            ``b64``), an algorithm other than EdDSA/ES256, or a missing or
            mistyped ``kid``/``typ``/``iat``/``jti``/``iss``.
    """
    header, payload, signature, signing_input = split_compact(token)
    _check_message_header(header)
    return CompactJWS(MappingProxyType(header), payload, signature, signing_input)
