"""Crash-safe file writes, the one implementation: exclusive creation and atomic replacement.

Both write a private temporary sibling, ``fsync`` it, put it in place with
one atomic step (``os.link`` refuses an existing name, ``os.replace``
replaces it) and ``fsync`` the folder, so that a crash leaves the old file or
the new one, never a partial one, and a completed write survives power loss.
Key files, the trust store, the evidence vault and its keys, the pull-cursor
key and the ministry pull cursor all write through here.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["create_exclusive", "fsync_directory", "replace_atomic"]


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


def fsync_directory(directory: Path) -> None:
    """Make a new name in ``directory`` (rename, link, mkdir) durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    fsync_directory(path.parent)


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
    fsync_directory(path.parent)
