"""The evidence key folder: created safely, refused when unsafe, rotated without loss."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from certhub.hub.core.settings import Settings
from certhub.hub.evidence import EvidenceKeyError, EvidenceKeyring, evidence_key_folder, open_vault


def test_first_start_creates_a_private_folder_with_one_key(tmp_path: Path) -> None:
    folder = tmp_path / "secrets" / "evidence"
    keyring = EvidenceKeyring.load_or_create(folder)
    [key_file] = folder.glob("*.key")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(base64.b64decode(key_file.read_bytes())) == 32
    assert (folder / "active").read_text().strip() == keyring.active_id == key_file.stem
    again = EvidenceKeyring.load_or_create(folder)  # loads; generates no second key
    assert again.key_ids == {keyring.active_id}


def test_rotation_keeps_old_keys_and_survives_a_restart(tmp_path: Path) -> None:
    keyring = EvidenceKeyring.load_or_create(tmp_path / "ev")
    first = keyring.active_id
    second = keyring.rotate()
    assert second != first
    assert keyring.key_ids == {first, second}
    reloaded = EvidenceKeyring.load(tmp_path / "ev")
    assert reloaded.active_id == second
    assert reloaded.key(first) == keyring.key(first)


def test_a_key_added_by_another_process_is_found_on_demand(tmp_path: Path) -> None:
    running = EvidenceKeyring.load_or_create(tmp_path / "ev")
    added = EvidenceKeyring.load(tmp_path / "ev").rotate()
    assert running.active_id != added  # new evidence uses the new key after a restart
    assert len(running.key(added)) == 32


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_key_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    keyring = EvidenceKeyring.load_or_create(tmp_path / "ev")
    (tmp_path / "ev" / f"{keyring.active_id}.key").chmod(mode)
    with pytest.raises(EvidenceKeyError, match=r"group/others.*chmod 600"):
        EvidenceKeyring.load(tmp_path / "ev")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (base64.b64encode(b"k" * 16), "holds 16 bytes"),
        (base64.b64encode(b"k" * 33), "holds 33 bytes"),
        (b"not base64 at all!", "not base64"),
        (b"", "holds 0 bytes"),
    ],
)
def test_a_key_of_the_wrong_form_is_refused(tmp_path: Path, content: bytes, match: str) -> None:
    keyring = EvidenceKeyring.load_or_create(tmp_path / "ev")
    (tmp_path / "ev" / f"{keyring.active_id}.key").write_bytes(content)
    with pytest.raises(EvidenceKeyError, match=match):
        EvidenceKeyring.load(tmp_path / "ev")


def test_an_active_file_naming_no_key_is_refused(tmp_path: Path) -> None:
    EvidenceKeyring.load_or_create(tmp_path / "ev")
    (tmp_path / "ev" / "active").write_text("ek-gone\n")
    with pytest.raises(EvidenceKeyError, match="'ek-gone' has no key file"):
        EvidenceKeyring.load(tmp_path / "ev")


def test_a_provisioned_secrets_directory_is_used_and_never_generated(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", secrets_dir=tmp_path / "run-secrets")
    assert evidence_key_folder(settings) == tmp_path / "run-secrets" / "evidence"
    with pytest.raises(EvidenceKeyError, match="does not exist"):
        open_vault(settings)
    provisioned = EvidenceKeyring.load_or_create(tmp_path / "run-secrets" / "evidence")
    assert open_vault(settings).keyring.active_id == provisioned.active_id
    assert not (tmp_path / "data" / "secrets").exists()


def test_without_a_secrets_directory_keys_live_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    vault = open_vault(settings)
    assert vault.keyring.directory == tmp_path / "data" / "secrets" / "evidence"
    assert vault.max_bytes == 10 * 1024 * 1024


def test_the_keyring_repr_shows_no_key_material(tmp_path: Path) -> None:
    keyring = EvidenceKeyring.load_or_create(tmp_path / "ev")
    text = repr(keyring)
    assert keyring.active_id in text
    assert base64.b64encode(keyring.key(keyring.active_id)).decode() not in text
