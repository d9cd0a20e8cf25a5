"""Keys: generation, JWK import/export, thumbprints, PEM files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from certhub.security import (
    InvalidKeyError,
    KeyFileError,
    SigningKey,
    VerifyingKey,
    jwk_thumbprint,
    read_private_key,
    write_private_key,
)
from certhub.security._encoding import b64url_encode


def test_sign_verify_round_trip(sender_key: SigningKey) -> None:
    public = VerifyingKey.from_jwk(sender_key.public_jwk())
    signature = sender_key.sign(b"data")
    assert len(signature) == 64  # ES256 is raw r||s, never DER
    assert public.verify(signature, b"data")
    assert not public.verify(signature, b"datA")
    assert not public.verify(signature[:-1], b"data")


def test_public_jwk_members(sender_key: SigningKey) -> None:
    jwk = sender_key.public_jwk()
    expected = {"kty", "crv", "x", "kid", "alg", "use"} | ({"y"} if jwk["kty"] == "EC" else set())
    assert set(jwk) == expected
    assert jwk["use"] == "sig"
    assert jwk["alg"] == sender_key.alg
    assert jwk["kid"] == jwk_thumbprint(jwk) == sender_key.kid


def test_rfc7638_thumbprint_example_for_okp() -> None:
    # RFC 8037 appendix A.3 test vector.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert jwk_thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_from_jwk_refuses_private_members(sender_key: SigningKey) -> None:
    with pytest.raises(InvalidKeyError, match="private"):
        VerifyingKey.from_jwk({**sender_key.public_jwk(), "d": "AAAA"})


@pytest.mark.parametrize(
    "change",
    [
        {"kty": "RSA"},
        {"crv": "Ed448"},
        {"x": b64url_encode(b"\x01" * 31)},
        {"x": "not base64!"},
        {"alg": "RS256"},
        {"use": "enc"},
        {"kid": ""},
    ],
)
def test_from_jwk_validates(sender_key: SigningKey, change: dict[str, str]) -> None:
    with pytest.raises(InvalidKeyError):
        VerifyingKey.from_jwk({**sender_key.public_jwk(), **change})


def test_from_jwk_refuses_point_off_curve() -> None:
    jwk = SigningKey.generate("ES256").public_jwk()
    with pytest.raises(InvalidKeyError, match="not on P-256"):
        VerifyingKey.from_jwk({**jwk, "y": b64url_encode(b"\x01" * 32)})


def test_pem_round_trip_and_file_mode(sender_key: SigningKey, tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    write_private_key(sender_key, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = read_private_key(path)
    assert (loaded.kid, loaded.alg) == (sender_key.kid, sender_key.alg)
    assert loaded.public_jwk() == sender_key.public_jwk()
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_write_refuses_overwrite(sender_key: SigningKey, tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    path.write_bytes(b"keep me")
    with pytest.raises(KeyFileError, match="overwrite"):
        write_private_key(sender_key, path)
    assert path.read_bytes() == b"keep me"


def test_from_pem_explicit_kid_and_bad_input(sender_key: SigningKey, tmp_path: Path) -> None:
    assert SigningKey.from_pem(sender_key.to_pem(), kid="k1").kid == "k1"
    with pytest.raises(InvalidKeyError):
        SigningKey.from_pem(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    (tmp_path / "bad.pem").write_bytes(b"garbage")
    with pytest.raises(KeyFileError, match=r"bad\.pem"):
        read_private_key(tmp_path / "bad.pem")
    with pytest.raises(KeyFileError):
        read_private_key(tmp_path / "missing.pem")


def test_unsupported_curve_refused() -> None:
    pem = SigningKey.generate("ES256").to_pem()
    assert SigningKey.from_pem(pem).alg == "ES256"
    p384 = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(InvalidKeyError, match="curve"):
        SigningKey(kid="x", alg="ES256", private_key=p384)
