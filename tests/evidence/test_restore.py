"""An operator restores a hub's data folder from a backup that kept the keys elsewhere."""

from __future__ import annotations

import shutil
from pathlib import Path

from evidence_samples import png
from hubkit import Hub

from certhub.hub.core.settings import Settings
from certhub.hub.evidence import evidence_key_folder, open_vault

from .conftest import refuses_to_start, upload  # type: ignore[import-not-found]


async def test_a_data_folder_whose_evidence_keys_are_missing_does_not_start(
    hub: Hub, tmp_path: Path
) -> None:
    """Blobs without their keys: the hub refuses to start rather than make a new key.

    Before, the embedded default generated a fresh key, started healthy, and answered
    every file stored before with 500 evidence-corrupt (logged as tampering).
    """
    response, _ = await upload(hub, png(grey=7), "image/png")
    assert response.status == 201
    restored = tmp_path / "restored"  # the backup kept the secrets apart, as it should
    shutil.copytree(hub.settings.data_dir, restored, ignore=shutil.ignore_patterns("secrets"))
    settings = Settings(data_dir=restored)
    folder = evidence_key_folder(settings)
    await refuses_to_start(settings, match="restore")
    assert not folder.exists()  # no new key was made
    shutil.copytree(evidence_key_folder(hub.settings), folder)  # the keys restored too
    assert open_vault(settings).keyring.key_ids == open_vault(hub.settings).keyring.key_ids


def test_an_empty_data_folder_still_makes_its_first_key(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    (settings.data_dir / "evidence").mkdir(parents=True)  # a folder, but no blob in it
    assert len(open_vault(settings).keyring.key_ids) == 1
