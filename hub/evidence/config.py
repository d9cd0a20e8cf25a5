"""Open the evidence vault a hub's settings describe (blocking; run it in a thread)."""

from __future__ import annotations

from pathlib import Path

from certhub.hub.core.settings import Settings
from certhub.hub.evidence.errors import EvidenceKeyError
from certhub.hub.evidence.keys import EvidenceKeyring
from certhub.hub.evidence.vault import EvidenceVault, is_digest

__all__ = ["evidence_key_folder", "open_vault"]


def evidence_key_folder(settings: Settings) -> Path:
    """Where evidence keys live: ``SECRETS_DIR/evidence``, else ``DATA_DIR/secrets/evidence``."""
    if settings.secrets_dir is not None:
        return settings.secrets_dir / "evidence"
    return settings.data_dir / "secrets" / "evidence"


def open_vault(settings: Settings) -> EvidenceVault:
    """The vault under ``DATA_DIR/evidence`` with its keyring.

    A provisioned secrets directory must already hold the keys; the embedded
    default folder is created with a generated key on first start — only while
    the vault holds no blob: blobs without their keys are a restore that left
    the keys behind, and a new key would open none of them.

    Raises:
        EvidenceKeyError: the key folder is missing or unsafe.
    """
    folder = evidence_key_folder(settings)
    directory = settings.data_dir / "evidence"
    if settings.secrets_dir is not None:
        keyring = EvidenceKeyring.load(folder)
    elif not (folder / "active").exists() and _holds_blobs(directory):
        raise EvidenceKeyError(
            f"{directory} holds sealed evidence but its key folder {folder} has no keys: "
            "restore the key folder with the data (a new key would open none of the files)"
        )
    else:
        keyring = EvidenceKeyring.load_or_create(folder)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return EvidenceVault(directory, keyring, max_bytes=settings.evidence_max_bytes)


def _holds_blobs(directory: Path) -> bool:
    return any(is_digest(path.name) for path in directory.glob("??/*"))
