"""Evidence in the deployment's database: the folder vault's checks, seal and repair."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import asyncpg
import pytest
from evidence_samples import jpeg, pdf, png

from certhub.hub.evidence import (
    EvidenceCorrupt,
    EvidenceKeyring,
    EvidenceNotFound,
    EvidenceRejected,
    EvidenceVault,
)
from certhub.hub.evidence.pg_store import DatabaseEvidenceVault
from certhub.hub.store.postgres.schema import upgrade


class Keys:
    """Evidence keys as the deployment hands them over (active id, keys by id)."""

    def __init__(self, keyring: EvidenceKeyring) -> None:
        self.keyring = keyring

    @property
    def active_id(self) -> str:
        return self.keyring.active_id

    def keys_by_id(self) -> Mapping[str, bytes]:
        return {key_id: self.keyring.key(key_id) for key_id in self.keyring.key_ids}


@pytest.fixture
def keyring(tmp_path: Path) -> EvidenceKeyring:
    """A folder keyring (the deployment adopts such folders)."""
    return EvidenceKeyring.load_or_create(tmp_path / "secrets" / "evidence")


@pytest.fixture
async def vault(pg_database: str, keyring: EvidenceKeyring) -> AsyncIterator[DatabaseEvidenceVault]:
    """A database vault on a migrated, empty ledger database."""
    await upgrade(pg_database)
    store = await DatabaseEvidenceVault.open(pg_database, Keys(keyring), max_bytes=64 * 1024)
    yield store
    await store.aclose()


async def blobs(url: str) -> dict[str, bytes]:
    """The table, read behind the vault's back."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT sha256, blob FROM evidence_blobs")
        return {row[0]: bytes(row[1]) for row in rows}
    finally:
        await conn.close()


async def test_stored_once_sealed_and_read_back(
    vault: DatabaseEvidenceVault, pg_database: str
) -> None:
    photo = jpeg("on-site photo")
    first = await vault.put(photo, declared_type="image/jpeg")
    again = await vault.put(photo, declared_type="image/jpeg")
    assert first.created
    assert not again.created
    assert first.sha256 == again.sha256 == hashlib.sha256(photo).hexdigest()
    data, meta = await vault.get(first.sha256)
    assert data == photo
    assert (meta.media_type, meta.size) == ("image/jpeg", len(photo))
    stored = await blobs(pg_database)
    assert list(stored) == [first.sha256]
    assert photo not in stored[first.sha256]  # sealed, not the plaintext
    other = "0" * 64
    assert await vault.missing([first.sha256, other, "not-a-digest"]) == {other, "not-a-digest"}
    with pytest.raises(EvidenceNotFound):
        await vault.get(other)


async def test_refused_uploads_store_nothing(
    vault: DatabaseEvidenceVault, pg_database: str
) -> None:
    with pytest.raises(EvidenceRejected) as refused:
        await vault.put(png(), declared_type="image/jpeg")
    assert refused.value.slug == "evidence-type-mismatch"
    with pytest.raises(EvidenceRejected) as refused:
        await vault.put(pdf(padding=70 * 1024), declared_type="application/pdf")
    assert refused.value.slug == "evidence-too-large"
    assert await blobs(pg_database) == {}


async def test_a_damaged_blob_is_never_served_and_the_same_bytes_repair_it(
    vault: DatabaseEvidenceVault, pg_database: str
) -> None:
    scan = png(40, "ID card scan")
    digest = (await vault.put(scan, declared_type="image/png")).sha256
    conn = await asyncpg.connect(pg_database)
    try:
        # Flip every bit of one byte: the sealed blob is random-looking, so writing a fixed
        # value there left it unchanged once in 256 runs (and the test failed).
        await conn.execute(
            "UPDATE evidence_blobs SET blob = set_byte(blob, 59, get_byte(blob, 59) # 255)"
        )
    finally:
        await conn.close()
    with pytest.raises(EvidenceCorrupt):
        await vault.get(digest)
    assert (await vault.put(scan, declared_type="image/png")).created
    assert (await vault.get(digest))[0] == scan


async def test_a_folder_vaults_blobs_move_in_sealed_as_they_were(
    vault: DatabaseEvidenceVault, keyring: EvidenceKeyring, tmp_path: Path, pg_database: str
) -> None:
    folder = EvidenceVault(tmp_path / "data" / "evidence", keyring, max_bytes=64 * 1024)
    photo = jpeg("stored before the move")
    digest = (await folder.put(photo, declared_type="image/jpeg")).sha256
    assert await vault.import_folder(tmp_path / "data" / "evidence") == 1
    assert await vault.import_folder(tmp_path / "data" / "evidence") == 0  # once
    assert (await blobs(pg_database))[digest] == folder.path_of(digest).read_bytes()
    assert (await vault.get(digest))[0] == photo


async def test_a_restart_reads_no_folder_blob_the_database_already_holds(
    vault: DatabaseEvidenceVault,
    keyring: EvidenceKeyring,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every process start imports the data folder: only what is not stored yet is read.

    Before, each start read every blob of the old folder vault and sent it to the
    database again (the insert then did nothing): a folder of years of photos made
    every hub process start take as long as copying them all.
    """
    folder = EvidenceVault(tmp_path / "data" / "evidence", keyring, max_bytes=64 * 1024)
    for grey in range(3):
        await folder.put(png(grey), declared_type="image/png")
    assert await vault.import_folder(folder.directory) == 3
    later = (await folder.put(png(99), declared_type="image/png")).sha256
    read: list[str] = []
    real_read_bytes = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        read.append(path.name)
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert await vault.import_folder(folder.directory) == 1
    assert read == [later]
