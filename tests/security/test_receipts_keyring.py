"""Receipts are deterministic and verifiable; the hub keyring persists and rotates."""

from __future__ import annotations

import hashlib
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from certhub.security import (
    HubKeyring,
    KeyFileError,
    MalformedMessage,
    ReceiptSigner,
    SignatureInvalid,
    UnknownKey,
    parse_compact,
    verify_receipt,
)

RECEIVED = datetime(2025, 3, 1, 12, 0, 5, tzinfo=UTC)
DIGEST = hashlib.sha256(b"raw").hexdigest()


def _receipt(signer: ReceiptSigner, message_id: str = "m-1", sender: str = "yunfu") -> str:
    return signer.sign(
        message_id=message_id,
        sender=sender,
        digest=DIGEST,
        sequence=42,
        received_at=RECEIVED,
        message_type="eligibility_report/v1",
    )


def test_keyring_creates_once_and_reuses(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    first = HubKeyring.load_or_create(directory)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    pem = directory / f"hub-signing-{first.active.kid}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    again = HubKeyring.load_or_create(directory)
    assert again.active.kid == first.active.kid


def test_rotation_keeps_old_keys_published(tmp_path: Path) -> None:
    keyring = HubKeyring.load_or_create(tmp_path / "k", alg="ES256")
    old = keyring.active
    old_receipt = _receipt(ReceiptSigner(old))
    new = keyring.rotate()
    assert keyring.active == new != old
    assert new.alg == "ES256"
    jwks = keyring.jwks()
    assert [k["kid"] for k in jwks["keys"]] == [new.kid, old.kid]
    assert verify_receipt(old_receipt, jwks)["ledger_sequence"] == 42
    reloaded = HubKeyring.load_or_create(tmp_path / "k")
    assert reloaded.active.kid == new.kid
    assert len(reloaded.jwks()["keys"]) == 2


def test_keyring_refuses_renamed_or_open_key_file(tmp_path: Path) -> None:
    keyring = HubKeyring.load_or_create(tmp_path)
    pem = tmp_path / f"hub-signing-{keyring.active.kid}.pem"
    pem.chmod(0o644)
    with pytest.raises(KeyFileError, match="0600"):
        HubKeyring.load_or_create(tmp_path)
    pem.chmod(0o600)
    pem.rename(tmp_path / "hub-signing-wrong.pem")
    with pytest.raises(KeyFileError, match="does not match"):
        HubKeyring.load_or_create(tmp_path)


def test_receipt_is_deterministic_and_complete(tmp_path: Path) -> None:
    keyring = HubKeyring.load_or_create(tmp_path)
    signer = ReceiptSigner(keyring.active, hub_id="certhub")
    token = _receipt(signer)
    assert token == _receipt(signer)  # re-send gets the identical receipt
    payload = verify_receipt(token, keyring.jwks(), hub_id="certhub")
    assert payload == {
        "type": "receipt/v1",
        "message_id": "m-1",
        "sender": "yunfu",
        "message_type": "eligibility_report/v1",
        "sha256": DIGEST,
        "ledger_sequence": 42,
        "received_at": "2025-03-01T12:00:05Z",
    }
    jws = parse_compact(token.encode())
    assert (jws.typ, jws.sender, jws.jti, jws.iat) == (
        "receipt/v1",
        "certhub",
        "receipt:yunfu:m-1",
        int(RECEIVED.timestamp()),
    )


def test_receipt_jti_for_ids_outside_jti_alphabet(tmp_path: Path) -> None:
    signer = ReceiptSigner(HubKeyring.load_or_create(tmp_path).active)
    jws = parse_compact(_receipt(signer, sender="ops@yunfu").encode())
    assert jws.jti.startswith("receipt:sha256:")


def test_verify_receipt_refusals(tmp_path: Path) -> None:
    keyring = HubKeyring.load_or_create(tmp_path)
    token = _receipt(ReceiptSigner(keyring.active))
    with pytest.raises(UnknownKey):
        verify_receipt(token, {"keys": []})
    with pytest.raises(MalformedMessage, match="issued by"):
        verify_receipt(token, keyring.jwks(), hub_id="other-hub")
    head, body, _ = token.split(".")
    other = _receipt(ReceiptSigner(keyring.active), message_id="m-2").split(".")[2]
    with pytest.raises(SignatureInvalid):
        verify_receipt(f"{head}.{body}.{other}", keyring.jwks())


@pytest.mark.parametrize(
    "kwargs",
    [
        {"digest": "ABC"},
        {"sequence": -1},
        {"sequence": True},
        {"received_at": datetime(2025, 1, 1)},
    ],
)
def test_receipt_input_validation(tmp_path: Path, kwargs: dict[str, object]) -> None:
    signer = ReceiptSigner(HubKeyring.load_or_create(tmp_path).active)
    args: dict[str, object] = {
        "message_id": "m",
        "sender": "s",
        "digest": DIGEST,
        "sequence": 1,
        "received_at": RECEIVED,
        "message_type": "t/v1",
        **kwargs,
    }
    with pytest.raises(ValueError):  # noqa: PT011 - message varies per field
        signer.sign(**args)  # type: ignore[arg-type]
