"""An upload the disk cannot take: a 503, and nothing of it left in the vault folder."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from evidence_samples import pdf
from hubkit import Hub

from .conftest import download, problem_slug, stored_blobs, upload  # type: ignore[import-not-found]


def fill_the_disk_under(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """Writes of files under ``root`` stop half-way with ENOSPC, as on a full disk."""
    real_write = os.write

    def write(fd: int, data: bytes) -> int:
        if not os.readlink(f"/proc/self/fd/{fd}").startswith(f"{root}/"):
            return real_write(fd, data)
        real_write(fd, memoryview(data)[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", write)


async def test_an_upload_on_a_full_disk_leaves_no_partial_file(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, the half-written temporary file stayed beside the blobs, one per failed try."""
    data = pdf()
    fill_the_disk_under(monkeypatch, hub.settings.data_dir / "evidence")
    response, body = await upload(hub, data, "application/pdf")
    assert (response.status, problem_slug(body)) == (503, "store-unavailable")
    assert stored_blobs(hub) == []
    monkeypatch.undo()
    response, body = await upload(hub, data, "application/pdf")
    assert response.status == 201
    assert [path.name for path in stored_blobs(hub)] == [body["sha256"]]
    assert await (await download(hub, body["sha256"])).read() == data
