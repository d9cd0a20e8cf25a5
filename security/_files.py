"""Crash-safe file writes: exclusive creation and atomic replacement."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["create_exclusive", "replace_atomic"]


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` (refusing an existing one) with ``mode`` and write ``data`` durably."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, mode)
    try:
        os.fchmod(fd, mode)  # the umask may have dropped bits; never widens beyond mode
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_sibling(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")


def create_exclusive(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Create ``path`` holding ``data``; never overwrite, never expose a partial file.

    The content is written to a private temporary sibling first and then
    hard-linked into place, which fails if ``path`` already exists.

    Raises:
        FileExistsError: ``path`` exists.
        OSError: any other filesystem failure.
    """
    tmp = _temp_sibling(path)
    _write_new(tmp, data, mode)
    try:
        os.link(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def replace_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically (temporary sibling + ``os.replace``).

    Raises:
        OSError: the write or the rename failed; ``path`` is then unchanged.
    """
    tmp = _temp_sibling(path)
    _write_new(tmp, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
