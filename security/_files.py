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
import fcntl
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "create_exclusive",
    "exclusive_lock",
    "fsync_directory",
    "load_or_create_secret",
    "replace_atomic",
]


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` (refusing an existing one) with ``mode`` and write ``data`` durably."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, mode)
    try:
        os.fchmod(fd, mode)  # the umask may have dropped bits; never widens beyond mode
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)  # a full disk must not keep the half-written file
        raise
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


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of ``path`` (a ``.lock`` sibling).

    The trust store and the enrolment codes are edited by the CLI and by the
    running hub (an enrolment binds a key, a code is used once): without the
    lock, two writers that both read the old file would each drop the other's
    change. ``flock`` is released by the kernel if the holder dies.

    Raises:
        OSError: the lock file cannot be created (e.g. a read-only folder).
    """
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def load_or_create_secret(path: Path, size: int = 32) -> bytes:
    """The secret at ``path``, made (``size`` random bytes, mode 0600) when missing.

    Every hub process of a deployment (and the CLI) must read the same file:
    the file appears whole or not at all, and a process starting at the same
    time as another uses whichever secret was linked first.

    Raises:
        ValueError: the file exists but holds fewer than ``size`` bytes.
        OSError: the file cannot be read or made.
    """
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # linked, not renamed: a whole file appears or nothing, and never over another's
        with contextlib.suppress(FileExistsError):
            create_exclusive(path, secrets.token_bytes(size))
    secret = path.read_bytes()
    if len(secret) < size:
        raise ValueError(f"secret {path.name} holds {len(secret)} bytes; it needs {size}")
    return secret
