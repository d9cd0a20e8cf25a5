"""CLI helpers: sender key creation and trust-store edits."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from certhub.security import (
    KeyFileError,
    MessageVerifier,
    TrustStore,
    create_sender_key,
    read_private_key,
    sign_compact,
    trust_add,
)


def test_create_key_and_trust_it(tmp_path: Path) -> None:
    key_path, jwk_path = create_sender_key("yunfu-platform", tmp_path / "out", alg="ES256")
    assert key_path.name == "yunfu-platform.key.pem"
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    public = json.loads(jwk_path.read_text())
    assert "d" not in public
    store_path = tmp_path / "trust.json"
    entry = trust_add(
        store_path, jwk_path, sender="yunfu-platform", may_send=["zero_report/v1"], may_read=False
    )
    assert entry.kid == public["kid"]
    key = read_private_key(key_path)
    message = sign_compact(b"{}", key=key, typ="zero_report/v1", sender="yunfu-platform")
    verified = MessageVerifier(TrustStore.load(store_path)).verify(message)
    assert verified.sender == "yunfu-platform"


def test_trust_add_updates_existing_store(tmp_path: Path) -> None:
    store_path = tmp_path / "trust.json"
    _, jwk_a = create_sender_key("a", tmp_path)
    _, jwk_b = create_sender_key("b", tmp_path)
    trust_add(store_path, jwk_a, sender="a", may_send=["x/v1"], may_read=False)
    trust_add(
        store_path, jwk_b, sender="b", may_send=["x/v1"], may_read=True, role="provincial_system"
    )
    updated = trust_add(store_path, jwk_a, sender="a", may_send=["y/v1"], may_read=True)
    assert updated.may_send == {"y/v1"}
    assert len(TrustStore.load(store_path)) == 2


def test_create_refuses_overwrite_and_bad_sender(tmp_path: Path) -> None:
    create_sender_key("a", tmp_path)
    with pytest.raises(KeyFileError):
        create_sender_key("a", tmp_path)
    with pytest.raises(ValueError, match="sender id"):
        create_sender_key("../etc/passwd", tmp_path)


def test_trust_add_bad_jwk_file(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("[1]")
    with pytest.raises(KeyFileError):
        trust_add(tmp_path / "t.json", tmp_path / "x.json", sender="a", may_send=[], may_read=False)
    with pytest.raises(KeyFileError):
        trust_add(
            tmp_path / "t.json", tmp_path / "nope.json", sender="a", may_send=[], may_read=False
        )
