"""Several HTTP processes on one port: the first starts and watches the others.

One event loop is the hub's ceiling. With ``CERTHUB_PROCESSES=N``
(``certhub serve --processes N``) the process an operator starts listens
with ``SO_REUSEPORT`` and starts N-1 *ingress processes* listening on the
same port, so the kernel spreads connections over N event loops. Each
ingress process verifies signatures, validates, plans and answers by itself.
Where the ledger lives decides who commits:

- SQLite (the embedded default): one process owns the file. The first
  process stays its only writer and serves the others' writes on a Unix
  socket (:class:`~certhub.hub.store.sqlite.writer_server.LedgerWriterServer`);
  an ingress process reads the file itself and answers 202 only after the
  writer's commit — the same durability, sequence order and audit chain as
  one process;
- PostgreSQL: every process writes itself; the database serialises the
  group commits of all of them under the writers' advisory lock (sequences
  and the audit chain are read and advanced inside it).

The ingress processes play ROLE ``ingress`` (no outbox relay or consumers:
the first process plays the configured role) and do not pull the ministry
(``MINISTRY_PULL_SECONDS=0``; the first process does). One that dies is
started again, after a back-off that grows while it keeps dying; at shutdown
they stop before the first process closes its ledger, so their last writes
still commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

from aiohttp import web

from certhub.hub.core.keys import KEYRING, SETTINGS, STORE
from certhub.hub.core.settings import Settings
from certhub.hub.store.sqlite import SqliteLedger
from certhub.hub.store.sqlite.writer_server import LedgerWriterServer
from certhub.security import HubSigningKeys, ReceiptSigner

__all__ = [
    "INGRESS_STOP_SECONDS",
    "STOP_GRACE_SECONDS",
    "IngressProcesses",
    "ingress_environment",
    "more_processes",
]

log = logging.getLogger(__name__)

INGRESS_STOP_SECONDS = 10.0  # an ingress process finishes its requests in flight, then exits
# (its own bound: past it, it logs what it still waits for and ends itself) …
STOP_GRACE_SECONDS = 12.0  # … and past this, the first process kills it
RESTART_DELAYS = (1.0, 2.0, 5.0, 15.0, 30.0)  # after the 1st, 2nd, … death in a row
HEALTHY_SECONDS = 60.0  # a process that lived this long starts the back-off over


@contextlib.asynccontextmanager
async def more_processes(
    app: web.Application, runner: web.AppRunner, stop: asyncio.Event
) -> AsyncIterator[None]:
    """While inside, the other HTTP processes of ``settings.processes`` run (none if 1)."""
    settings = app[SETTINGS]
    if settings.processes <= 1:
        yield
        return
    writer = None
    store = app[STORE]
    with _writer_socket(settings) as socket_path:
        if settings.database_url is None and isinstance(store, SqliteLedger):
            signers = receipt_signers(app[KEYRING], settings.hub_id)
            writer = LedgerWriterServer(store, signers, socket_path)
            await writer.start()
        port = _bound_port(runner, settings)
        group = IngressProcesses(
            lambda index: ingress_environment(settings, port, socket_path, index)
        )
        try:
            group.start(settings.processes - 1)
            yield
        finally:
            await group.stop()
            if writer is not None:
                await writer.aclose()


SOCKET_PATH_MAX = 100  # bytes; the system's limit for a Unix socket's path is 104-108


@contextlib.contextmanager
def _writer_socket(settings: Settings) -> Iterator[Path]:
    """``DATA_DIR/ledger-writer.sock``, or a private temporary folder's if that path is too long."""
    path = settings.ledger_writer_socket.resolve()
    if len(os.fsencode(path)) <= SOCKET_PATH_MAX:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="certhub-") as folder:  # 0700: the owner's only
        yield Path(folder) / "ledger-writer.sock"


def _bound_port(runner: web.AppRunner, settings: Settings) -> int:
    for site in runner.sites:
        port = getattr(site, "port", None)
        if isinstance(port, int):
            return port
    return settings.port


def receipt_signers(keyring: HubSigningKeys, hub_id: str) -> Callable[[], ReceiptSigner]:
    """The signer of the keyring's active key, made once per key (not per message)."""
    made: dict[str, ReceiptSigner] = {}

    def signer() -> ReceiptSigner:
        key = keyring.active
        found = made.get(key.kid)
        if found is None:
            made.clear()
            found = made[key.kid] = ReceiptSigner(key, hub_id=hub_id)
        return found

    return signer


def ingress_environment(
    settings: Settings, port: int, writer_socket: Path, index: int
) -> dict[str, str]:
    """The environment of ingress process ``index`` (1, 2, …): this one's, made an ingress one.

    Settings an operator gave on the command line (host, port, data folder)
    are passed on explicitly; everything else (environment, ``.env``, the
    secrets folder) the ingress process reads as this one did. With
    ``METRICS_PORT`` set, ingress process ``index`` serves its own metrics on
    ``METRICS_PORT + index``, so every process can be scraped.
    """
    env = dict(
        os.environ,
        CERTHUB_HOST=settings.host,
        CERTHUB_PORT=str(port),
        CERTHUB_DATA_DIR=str(settings.data_dir.resolve()),
        CERTHUB_ROLE="ingress",
        CERTHUB_PROCESSES="1",
        CERTHUB_MINISTRY_PULL_SECONDS="0",
    )
    if settings.database_url is None:
        env["CERTHUB_LEDGER_WRITER"] = str(writer_socket)
    env.pop("CERTHUB_METRICS_PORT", None)
    if settings.metrics_port is not None:
        env["CERTHUB_METRICS_PORT"] = str(settings.metrics_port + index)
    return env


class IngressProcesses:
    """The ingress processes of this deployment, kept running until stopped."""

    def __init__(
        self, env: Callable[[int], dict[str, str]], command: list[str] | None = None
    ) -> None:
        """Start process ``i`` (1, 2, …) as ``command`` (default: ``python -m
        ...ingress_process``) with environment ``env(i)``."""
        self._env = env
        self._command = command or [sys.executable, "-m", "certhub.hub.runtime.ingress_process"]
        self._stopping = False
        self._stopped = asyncio.Event()
        self._keepers: list[asyncio.Task[None]] = []
        self._running: dict[int, asyncio.subprocess.Process] = {}

    @property
    def pids(self) -> list[int]:
        """The process ids running now."""
        return [process.pid for process in self._running.values()]

    def start(self, count: int) -> None:
        """Start ``count`` ingress processes, each kept alive by its own task."""
        self._keepers = [asyncio.create_task(self._keep(index)) for index in range(1, count + 1)]

    async def stop(self) -> None:
        """SIGTERM every process, wait for them (SIGKILL after the grace period).

        A process still being started gets its SIGTERM as soon as it exists.
        """
        self._stopping = True
        self._stopped.set()
        if self._keepers:
            await asyncio.wait(self._keepers)

    async def _keep(self, index: int) -> None:
        deaths = 0
        while not self._stopping:
            process = await asyncio.create_subprocess_exec(*self._command, env=self._env(index))
            self._running[index] = process
            log.info("ingress process %d started (pid %d)", index, process.pid)
            started = asyncio.get_running_loop().time()
            code = await self._wait(process)
            del self._running[index]
            if self._stopping:
                return
            lived = asyncio.get_running_loop().time() - started
            deaths = 1 if lived >= HEALTHY_SECONDS else deaths + 1
            delay = RESTART_DELAYS[min(deaths, len(RESTART_DELAYS)) - 1]
            log.error(
                "ingress process %d (pid %d) exited with %s after %.0f s; starting it again in"
                " %.0f s",
                index,
                process.pid,
                code,
                lived,
                delay,
            )
            await self._sleep_unless_stopping(delay)

    async def _wait(self, process: asyncio.subprocess.Process) -> Any:
        """Its exit code; once stopping, SIGTERM it (SIGKILL after :data:`STOP_GRACE_SECONDS`)."""
        waiting = asyncio.ensure_future(process.wait())
        stopping = asyncio.ensure_future(self._stopped.wait())
        try:
            await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if waiting.done():
            return waiting.result()
        # signalled here, whenever it began: one started while stop() ran is stopped as well
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        await asyncio.wait({waiting}, timeout=STOP_GRACE_SECONDS)
        if not waiting.done():
            log.error(
                "ingress process pid %d did not stop within %.0f s of SIGTERM; killing it",
                process.pid,
                STOP_GRACE_SECONDS,
            )
            process.kill()
        code = await waiting
        if code not in (0, -signal.SIGTERM):
            log.warning("ingress process pid %d stopped with exit code %s", process.pid, code)
        return code

    async def _sleep_unless_stopping(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), seconds)
