"""The vault's Python API, as the ingress pipeline uses it: put, get, missing."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from evidence_samples import jpeg, pdf, png

from certhub.hub.core.settings import Settings
from certhub.hub.evidence import (
    EvidenceCorrupt,
    EvidenceError,
    EvidenceKeyring,
    EvidenceMeta,
    EvidenceNotFound,
    EvidenceRejected,
    EvidenceVault,
)

from .conftest import refuses_to_start  # type: ignore[import-not-found]


@pytest.fixture
def vault(tmp_path: Path) -> EvidenceVault:
    """A vault with a fresh keyring and a 64 KiB limit."""
    keyring = EvidenceKeyring.load_or_create(tmp_path / "keys")
    return EvidenceVault(tmp_path / "blobs", keyring, max_bytes=64 * 1024)


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


async def test_put_then_get(vault: EvidenceVault) -> None:
    data = jpeg()
    digest = hashlib.sha256(data).hexdigest()
    meta = await vault.put(data, declared_type="image/jpeg", content_digest=digest)
    assert meta == EvidenceMeta(digest, "image/jpeg", len(data), vault.keyring.active_id, True)
    assert await vault.get(digest) == (data, EvidenceMeta(**{**vars_of(meta), "created": False}))
    assert vault.path_of(digest).parent.name == digest[:2]


def vars_of(meta: EvidenceMeta) -> dict[str, Any]:
    return {name: getattr(meta, name) for name in EvidenceMeta.__slots__}


async def test_putting_again_is_idempotent(vault: EvidenceVault, tmp_path: Path) -> None:
    first = await vault.put(png(), declared_type="image/png")
    before = vault.path_of(first.sha256).read_bytes()
    again = await vault.put(png(), declared_type="image/png")
    assert (first.created, again.created) == (True, False)
    assert (again.sha256, again.key_id) == (first.sha256, first.key_id)
    assert vault.path_of(first.sha256).read_bytes() == before  # not re-encrypted
    assert len(files_in(tmp_path / "blobs")) == 1


async def test_concurrent_puts_of_the_same_bytes_store_it_once(
    vault: EvidenceVault, tmp_path: Path
) -> None:
    metas = await asyncio.gather(
        *(vault.put(pdf(), declared_type="application/pdf") for _ in range(8))
    )
    assert sum(meta.created for meta in metas) == 1
    assert len({meta.sha256 for meta in metas}) == 1
    assert len(files_in(tmp_path / "blobs")) == 1


async def test_missing_names_the_digests_not_stored(vault: EvidenceVault) -> None:
    stored = await vault.put(png(), declared_type="image/png")
    absent = hashlib.sha256(b"never uploaded").hexdigest()
    asked = [stored.sha256, absent, "not-a-digest", stored.sha256.upper(), "../" * 30]
    assert await vault.missing(asked) == set(asked) - {stored.sha256}
    assert await vault.missing([]) == set()
    assert await vault.missing(iter([stored.sha256])) == set()


@pytest.mark.parametrize(
    ("upload", "slug"),
    [
        ((pdf(padding=70_000), "application/pdf", None), "evidence-too-large"),
        ((png(), "image/png", "0" * 64), "digest-mismatch"),
        ((b"MZ\x90\x00", "image/png", None), "evidence-unsupported"),
        ((png()[:-1], "image/png", None), "evidence-truncated"),
        ((jpeg(), "image/png", None), "evidence-type-mismatch"),
    ],
)
async def test_refusals_store_nothing(
    vault: EvidenceVault, tmp_path: Path, upload: tuple[bytes, str, str | None], slug: str
) -> None:
    data, declared, claimed = upload
    with pytest.raises(EvidenceRejected) as exc:
        await vault.put(data, declared_type=declared, content_digest=claimed)
    assert exc.value.slug == slug
    assert isinstance(exc.value, EvidenceError)
    assert files_in(tmp_path / "blobs") == []


async def test_get_of_an_unknown_digest(vault: EvidenceVault) -> None:
    with pytest.raises(EvidenceNotFound):
        await vault.get("0" * 64)
    with pytest.raises(EvidenceNotFound):
        await vault.get("../../etc/passwd")


async def test_a_blob_whose_key_is_gone_is_corrupt(vault: EvidenceVault, tmp_path: Path) -> None:
    meta = await vault.put(png(), declared_type="image/png")
    fresh = EvidenceKeyring.load_or_create(tmp_path / "other-keys")
    with pytest.raises(EvidenceCorrupt, match="key"):
        await EvidenceVault(tmp_path / "blobs", fresh, max_bytes=1024).get(meta.sha256)


@pytest.mark.parametrize("damage", [lambda b: b[:3], lambda b: b"XXXXX" + b[5:], lambda b: b[:-1]])
async def test_damaged_blobs_are_corrupt(
    vault: EvidenceVault, damage: Callable[[bytes], bytes]
) -> None:
    meta = await vault.put(pdf(), declared_type="application/pdf")
    path = vault.path_of(meta.sha256)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(EvidenceCorrupt):
        await vault.get(meta.sha256)


async def test_a_hub_with_an_unsafe_key_folder_does_not_start(tmp_path: Path) -> None:
    keyring = EvidenceKeyring.load_or_create(tmp_path / "secrets" / "evidence")
    (keyring.directory / f"{keyring.active_id}.key").chmod(0o644)
    settings = Settings(data_dir=tmp_path / "data", secrets_dir=tmp_path / "secrets")
    await refuses_to_start(settings, match="chmod 600")
