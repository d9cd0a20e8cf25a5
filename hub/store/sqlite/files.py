"""The ledger file on disk: created private, locked by one process, space left beside it."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from certhub.hub.store.base import StoreUnavailable

__all__ = ["MIN_FREE_BYTES", "create_private", "free_bytes", "lock"]

MIN_FREE_BYTES = 64 * 1024 * 1024  # below this a commit may fail mid-batch: report not ready


def free_bytes(folder: Path) -> int:
    """Bytes free to the hub in ``folder``; OSError if it cannot write there."""
    if not os.access(folder, os.W_OK):
        raise OSError(f"{folder} is not writable")
    stat = os.statvfs(folder)
    return stat.f_bavail * stat.f_frsize


def create_private(path: Path) -> None:
    """Create the ledger file 0600 before SQLite does (it would use 0644 less the umask).

    The ledger holds personal data; SQLite gives its ``-wal`` and ``-shm``
    files the database file's mode, so they are private too.
    """
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))


def lock(path: Path) -> int:
    """Hold an exclusive lock on ``path`` for the life of the process."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StoreUnavailable(f"another certhub process is using the ledger {path.stem}") from None
    return fd
