"""Signing and verifying keys (Ed25519 and P-256), JWK import/export and key files.

Only two algorithms exist in certhub: ``EdDSA`` over Ed25519 (RFC 8037) and
``ES256`` over P-256 with raw ``r||s`` signatures (RFC 7518 §3.4). A key is
bound to exactly one of them, so the header ``alg`` can never pick another.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeAlias, get_args

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from ._encoding import b64url_decode, b64url_encode, json_dumps
from ._files import create_exclusive
from .errors import InvalidKeyError, KeyFileError

__all__ = [
    "ALGORITHMS",
    "Algorithm",
    "SigningKey",
    "VerifyingKey",
    "jwk_thumbprint",
    "read_private_key",
    "write_private_key",
]

Algorithm: TypeAlias = Literal["EdDSA", "ES256"]
ALGORITHMS: frozenset[str] = frozenset(get_args(Algorithm))

PrivateKey: TypeAlias = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey: TypeAlias = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey

_P256_BYTES = 32
_ED25519_BYTES = 32
_THUMBPRINT_MEMBERS = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y")}


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """Compute the RFC 7638 JWK thumbprint (base64url SHA-256) of an OKP or EC key.

    Raises:
        InvalidKeyError: unsupported ``kty`` or a required member is missing.
    """
    members = _THUMBPRINT_MEMBERS.get(str(jwk.get("kty")))
    if members is None:
        raise InvalidKeyError(f"unsupported JWK kty {jwk.get('kty')!r}")
    missing = [name for name in members if not isinstance(jwk.get(name), str)]
    if missing:
        raise InvalidKeyError(f"JWK lacks string member(s) {', '.join(missing)}")
    canonical = json_dumps({name: jwk[name] for name in members})
    return b64url_encode(hashlib.sha256(canonical).digest())


def _alg_of(key: PrivateKey | PublicKey) -> Algorithm:
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "EdDSA"
    if isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    raise InvalidKeyError(f"unsupported elliptic curve {key.curve.name}")


def _public_members(key: PublicKey) -> dict[str, str]:
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    numbers = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url_encode(numbers.x.to_bytes(_P256_BYTES, "big")),
        "y": b64url_encode(numbers.y.to_bytes(_P256_BYTES, "big")),
    }


def _coordinate(jwk: Mapping[str, Any], name: str, size: int) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise InvalidKeyError(f"JWK member {name!r} must be a string")
    try:
        raw = b64url_decode(value)
    except ValueError as exc:
        raise InvalidKeyError(f"JWK member {name!r} is not base64url: {exc}") from exc
    if len(raw) != size:
        raise InvalidKeyError(f"JWK member {name!r} must be {size} bytes, got {len(raw)}")
    return raw


def _public_key_from_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        raw = _coordinate(jwk, "x", _ED25519_BYTES)
        return ed25519.Ed25519PublicKey.from_public_bytes(raw)
    if kty == "EC" and crv == "P-256":
        x = int.from_bytes(_coordinate(jwk, "x", _P256_BYTES), "big")
        y = int.from_bytes(_coordinate(jwk, "y", _P256_BYTES), "big")
        try:
            return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        except ValueError as exc:
            raise InvalidKeyError("EC point is not on P-256") from exc
    raise InvalidKeyError(f"unsupported key kty={kty!r} crv={crv!r}; want OKP/Ed25519 or EC/P-256")


@dataclass(frozen=True, slots=True)
class VerifyingKey:
    """A public key bound to one algorithm and identified by ``kid``."""

    kid: str
    alg: Algorithm
    public_key: PublicKey = field(repr=False)

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> VerifyingKey:
        """Import a public JWK; extension members are ignored.

        ``kid`` defaults to the RFC 7638 thumbprint; ``alg`` and ``use``, when
        present, must agree with the key type.

        Raises:
            InvalidKeyError: private members, unsupported type/curve, bad lengths,
                a point off the curve, or inconsistent ``alg``/``use``/``kid``.
        """
        if not isinstance(jwk, Mapping):
            raise InvalidKeyError("a JWK must be a JSON object")
        private = sorted({"d", "p", "q", "dp", "dq", "qi", "k"} & set(jwk))
        if private:
            raise InvalidKeyError(f"JWK has private member(s) {', '.join(private)}")
        public_key = _public_key_from_jwk(jwk)
        alg = _alg_of(public_key)
        if jwk.get("alg", alg) != alg:
            raise InvalidKeyError(f"JWK alg {jwk.get('alg')!r} does not fit its key type ({alg})")
        if jwk.get("use", "sig") != "sig":
            raise InvalidKeyError(f"JWK use {jwk.get('use')!r}; want 'sig'")
        kid = jwk.get("kid", jwk_thumbprint(jwk))
        if not isinstance(kid, str) or not kid:
            raise InvalidKeyError("JWK kid must be a non-empty string")
        return cls(kid=kid, alg=alg, public_key=public_key)

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Tell whether ``signature`` (raw, JWS form) is valid for ``data``."""
        try:
            if isinstance(self.public_key, ed25519.Ed25519PublicKey):
                self.public_key.verify(signature, data)
            else:
                if len(signature) != 2 * _P256_BYTES:
                    return False
                r = int.from_bytes(signature[:_P256_BYTES], "big")
                s = int.from_bytes(signature[_P256_BYTES:], "big")
                der = encode_dss_signature(r, s)
                self.public_key.verify(der, data, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True

    def to_jwk(self) -> dict[str, str]:
        """Export as a public JWK with ``kid``, ``alg`` and ``use: sig``."""
        members = _public_members(self.public_key)
        return {**members, "kid": self.kid, "alg": self.alg, "use": "sig"}

    def thumbprint(self) -> str:
        """Return the RFC 7638 thumbprint, which identifies the key material itself."""
        return jwk_thumbprint(_public_members(self.public_key))


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private key bound to one algorithm and identified by ``kid``."""

    kid: str
    alg: Algorithm
    private_key: PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        if _alg_of(self.private_key) != self.alg:
            raise InvalidKeyError(f"key type does not fit alg {self.alg!r}")

    @classmethod
    def generate(cls, alg: Algorithm = "EdDSA") -> SigningKey:
        """Generate a fresh key whose ``kid`` is its JWK thumbprint."""
        private: PrivateKey
        if alg == "EdDSA":
            private = ed25519.Ed25519PrivateKey.generate()
        elif alg == "ES256":
            private = ec.generate_private_key(ec.SECP256R1())
        else:
            raise InvalidKeyError(f"unsupported algorithm {alg!r}")
        return cls(
            kid=jwk_thumbprint(_public_members(private.public_key())), alg=alg, private_key=private
        )

    @classmethod
    def from_pem(cls, data: bytes, kid: str | None = None) -> SigningKey:
        """Load an unencrypted PEM private key; ``kid`` defaults to the thumbprint.

        Raises:
            InvalidKeyError: not a PEM private key, encrypted, or not Ed25519/P-256.
        """
        try:
            private = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise InvalidKeyError(f"not an unencrypted PEM private key: {exc}") from exc
        if not isinstance(private, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
            raise InvalidKeyError(f"unsupported private key type {type(private).__name__}")
        alg = _alg_of(private)
        thumbprint = jwk_thumbprint(_public_members(private.public_key()))
        return cls(kid=kid or thumbprint, alg=alg, private_key=private)

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``; ES256 signatures come out as raw 64-byte ``r||s``."""
        if isinstance(self.private_key, ed25519.Ed25519PrivateKey):
            return self.private_key.sign(data)
        der = self.private_key.sign(data, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return r.to_bytes(_P256_BYTES, "big") + s.to_bytes(_P256_BYTES, "big")

    def verifying_key(self) -> VerifyingKey:
        """Return the matching public key with the same ``kid`` and ``alg``."""
        return VerifyingKey(self.kid, self.alg, self.private_key.public_key())

    def public_jwk(self) -> dict[str, str]:
        """Export the public half as a JWK (kty/crv/x[/y]/kid/alg/use)."""
        return self.verifying_key().to_jwk()

    def to_pem(self) -> bytes:
        """Serialise as unencrypted PKCS#8 PEM (protect the file, not the blob)."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def write_private_key(key: SigningKey, path: Path) -> None:
    """Write ``key`` as PKCS#8 PEM to a new file with mode 0600.

    Raises:
        KeyFileError: the file exists (never overwritten) or cannot be written.
    """
    try:
        create_exclusive(path, key.to_pem(), mode=0o600)
    except FileExistsError as exc:
        raise KeyFileError(f"refusing to overwrite existing key file {path}") from exc
    except OSError as exc:
        raise KeyFileError(f"cannot write key file {path}: {exc.strerror}") from exc


def read_private_key(path: Path) -> SigningKey:
    """Read a PEM private key file; its ``kid`` is recomputed as the thumbprint.

    Raises:
        KeyFileError: unreadable file or content that is not a usable key.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from exc
    try:
        return SigningKey.from_pem(data)
    except InvalidKeyError as exc:
        raise KeyFileError(f"{path}: {exc.detail}") from exc
