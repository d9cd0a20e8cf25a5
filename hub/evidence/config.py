"""Open the evidence vault a hub's settings describe (blocking; run it in a thread)."""

from __future__ import annotations

from pathlib import Path

from certhub.hub.core.settings import Settings
from certhub.hub.evidence.keys import EvidenceKeyring
from certhub.hub.evidence.vault import EvidenceVault

__all__ = ["evidence_key_folder", "open_vault"]


def evidence_key_folder(settings: Settings) -> Path:
    """Where evidence keys live: ``SECRETS_DIR/evidence``, else ``DATA_DIR/secrets/evidence``."""
    if settings.secrets_dir is not None:
        return settings.secrets_dir / "evidence"
    return settings.data_dir / "secrets" / "evidence"


def open_vault(settings: Settings) -> EvidenceVault:
    """The vault under ``DATA_DIR/evidence`` with its keyring.

    A provisioned secrets directory must already hold the keys; the embedded
    default folder is created with a generated key on first start.

    Raises:
        EvidenceKeyError: the key folder is missing or unsafe.
    """
    folder = evidence_key_folder(settings)
    if settings.secrets_dir is not None:
        keyring = EvidenceKeyring.load(folder)
    else:
        keyring = EvidenceKeyring.load_or_create(folder)
    directory = settings.data_dir / "evidence"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return EvidenceVault(directory, keyring, max_bytes=settings.evidence_max_bytes)
