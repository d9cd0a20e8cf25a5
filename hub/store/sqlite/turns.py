"""Turns that hold across the processes of one SQLite data folder: a file lock per key.

A coordinator's sendings of one kind take turns (:mod:`certhub.hub.api.report_bound`):
counted, then recorded or refused, one at a time, so that no burst passes the hourly
bound. In one process an asyncio lock does it. With ``certhub serve --processes N`` on
the embedded ledger the N processes share the data folder (the writer owns the ledger,
the ingress processes hand it their writes), so there the turn is an exclusive
``flock`` on a file of its own, ``DATA/ledger-turns/<hash of the key>``, held from the
count until the sending is recorded.

Why a file lock and not a turn asked of the writer over its socket: the kernel lets a
process's locks go when it dies, however it dies, so a crashed holder blocks nobody
(through the writer, its connection's end would have to be noticed and every turn it
held or waited for undone, a waiter given up by its request told apart from a granted
one); it costs the writer's event loop, the deployment's busiest, nothing (two more
round trips a sending there); and it asks nothing of the filesystem the ledger does not
already: SQLite's write-ahead log needs a local folder with working locks, and the
ledger's own ``.lock`` is a ``flock`` too. Only coordinators' sendings take a turn
(staff keys are not bounded), and a turn nobody holds is an ``open`` and a ``flock`` on
the event loop (≈ 10 µs), taken by a hub of one process too rather than left to a
setting it could miss. A held one is waited for on a thread of its own: a blocking ``flock``
wakes as the holder lets go, where polling would lose to the holder's process handing
the lock on to its next sending. Not on the loop's default executor: waiters there
would leave none to the holders, which store evidence through it. The process's own
turns queue before this one (:class:`~certhub.hub.api.report_bound.KeyTurns`), so each
process waits with at most one thread per key. The thread is a daemon: a process that
stops does not wait for a turn it no longer wants.

A file per key is never deleted (unlinking a lock file others may hold is a race); each
is empty, one per coordinator key that ever sent, named by a hash so that neither a key
nor a sender's name is a path.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

from certhub.hub.store.base import StoreUnavailable

__all__ = ["TURNS_FOLDER", "FileTurns"]

TURNS_FOLDER: Final = "ledger-turns"  # in the data folder, beside the ledger


class FileTurns:
    """Turns of keys across every process that holds an open file of ``folder``."""

    def __init__(self, folder: Path) -> None:
        """Take turns by the files of ``folder`` (made, owner-only, on first use)."""
        self._folder = folder

    @contextlib.asynccontextmanager
    async def key_turn(self, key: str) -> AsyncIterator[None]:
        """Wait for ``key``'s turn in every process on this folder; hold it until the block ends.

        Raises:
            StoreUnavailable: the folder cannot be written, or the lock not taken.
        """
        fd = self._open(key)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another process's turn: the waiter owns the file now
            await _wait_for(fd)
        except OSError as exc:
            os.close(fd)
            raise StoreUnavailable(f"cannot take a turn: {exc}") from exc
        try:
            yield
        finally:
            os.close(fd)  # the file's only descriptor: closing it ends the turn

    def _open(self, key: str) -> int:
        name = hashlib.sha256(key.encode()).hexdigest()[:32]
        try:
            try:
                return os.open(self._folder / name, os.O_RDWR | os.O_CREAT, 0o600)
            except FileNotFoundError:
                self._folder.mkdir(mode=0o700, exist_ok=True)
                return os.open(self._folder / name, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreUnavailable(f"cannot take a turn in {self._folder}: {exc}") from exc


async def _wait_for(fd: int) -> None:
    """Lock ``fd`` on a thread of its own; the thread closes it unless the lock is taken
    and still awaited (a request that went away meanwhile must not keep the turn).

    Raises:
        StoreUnavailable: the lock could not be taken.
    """
    loop = asyncio.get_running_loop()
    taken: asyncio.Future[None] = loop.create_future()

    def settle(error: OSError | None) -> None:  # on the loop: nobody else touches ``taken``
        if error is None and not taken.cancelled():
            taken.set_result(None)
            return
        os.close(fd)
        if error is not None and not taken.cancelled():
            taken.set_exception(StoreUnavailable(f"cannot take a turn: {error}"))

    def wait() -> None:
        error: OSError | None = None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            error = exc
        try:
            loop.call_soon_threadsafe(settle, error)
        except RuntimeError:  # the loop is closed: nobody awaits the turn any more
            os.close(fd)

    try:
        threading.Thread(target=wait, name="ledger-turn", daemon=True).start()
    except RuntimeError as exc:  # no thread to be had
        os.close(fd)
        raise StoreUnavailable(f"cannot wait for a turn: {exc}") from exc
    try:
        await taken
    except asyncio.CancelledError:
        if taken.done() and not taken.cancelled() and taken.exception() is None:
            os.close(fd)  # the lock was taken just as its request went away
        raise
