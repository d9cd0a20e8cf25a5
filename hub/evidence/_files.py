"""Crash-safe writes for the vault and its keys: temporary sibling, fsync, rename, fsync folder."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["fsync_directory", "write_durably"]


def write_durably(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` (mode 0600) so that a crash leaves the old file or the new one.

    Args:
        path: the final name.
        data: the whole content.
        exclusive: refuse to replace an existing ``path`` (``os.link`` instead of ``os.replace``).

    Raises:
        FileExistsError: ``exclusive`` and ``path`` exists.
        OSError: any other filesystem failure; no partial ``path`` is left.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
        fsync_directory(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def fsync_directory(directory: Path) -> None:
    """Make a new name in ``directory`` (rename, link, mkdir) durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
