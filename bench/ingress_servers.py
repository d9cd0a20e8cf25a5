"""What the ingress benchmark runs against: pre-signed reports, the servers (started, their
processes awaited), their ledgers counted, the hub's write-ahead log watched. The measuring
is ``bench/ingress.py``'s."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from proctree import descendants

from certhub.mocks.local_reporting import ReportingSystem
from certhub.mocks.population import Population
from certhub.security import create_sender_key, read_private_key, trust_add

ROOT = Path(__file__).resolve().parent.parent
SENDER = "bench-city"


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sign_chunk(key_path: Path, seed: int, count: int) -> list[bytes]:
    city = ReportingSystem.__new__(ReportingSystem)
    city.key = read_private_key(key_path)
    city.sender = SENDER
    city.population = Population(seed=seed)  # the seed makes the message ids: one per chunk
    return [city.sign(city.population.eligibility_report()) for _ in range(count)]


def sign_tokens(key_path: Path, count: int, chunk: int = 10_000) -> list[bytes]:
    """Pre-sign ``count`` distinct realistic reports on every core, before any server runs."""
    sizes = [min(chunk, count - start) for start in range(0, count, chunk)]
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        parts = pool.map(_sign_chunk, itertools.repeat(key_path), itertools.count(7), sizes)
        return [token for part in parts for token in part]


def start(cmd: list[str], env: dict[str, str], log: Path | None = None) -> subprocess.Popen[bytes]:
    """Start a server process, its errors in ``log`` (else discarded)."""
    with open(log or os.devnull, "ab") as errors:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors)


def start_bare(
    port: int, jwk_path: Path, processes: int, env: dict[str, str]
) -> list[subprocess.Popen[bytes]]:
    """The bare handler, ``processes`` times on one port (``SO_REUSEPORT``)."""
    cmd = [sys.executable, str(ROOT / "bench" / "bare_server.py"), "--port", str(port)]
    return [start([*cmd, "--jwk", str(jwk_path)], env) for _ in range(processes)]


async def settled_processes(pid: int, seconds: float = 60.0, at_least: int = 1) -> list[int]:
    """``pid`` and its descendants once there are ``at_least`` of them and their number has
    held for 2 s (helpers and ingress processes start after the first answers).

    An ingress process starts its own signature helper only once it is up, seconds
    later on a busy machine: a count that held for 2 s is not yet the whole hub.
    """
    found, steady, deadline = [pid], 0.0, time.monotonic() + seconds
    while (steady < 2.0 or len(found) < at_least) and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = [pid, *descendants(pid)]
        steady = steady + 0.5 if len(now) == len(found) else 0.0
        found = now
    return found


def hub_process_count(http_processes: int, env: dict[str, str]) -> int:
    """The processes of ``certhub serve --processes N``: each HTTP process and, unless
    ``CERTHUB_SIGNATURE_HELPER`` turns it off, its signature helper."""
    helper = env.get("CERTHUB_SIGNATURE_HELPER", "true").strip().lower()
    return http_processes * (1 if helper in {"false", "0", "no", "off"} else 2)


def sender_trusted_by(work: Path) -> tuple[Path, Path]:
    """The benchmark's sender key (private, public JWK), trusted by a hub on ``work/data``."""
    key_path, jwk_path = create_sender_key(SENDER, work / "parties")
    (work / "data").mkdir()
    trust_add(
        work / "data" / "trust.jwks.json",
        jwk_path,
        sender=SENDER,
        may_send=["eligibility_report/v1"],
        may_read=False,
    )
    return key_path, jwk_path


def hub_environment(work: Path) -> dict[str, str]:
    """The hub's settings: data in ``work/data``, quiet logs."""
    return dict(
        os.environ,
        CERTHUB_DATA_DIR=str(work / "data"),
        CERTHUB_LOG_LEVEL="WARNING",
        # The reports were signed up to the run's length (minutes) before they are sent.
        CERTHUB_CLOCK_SKEW_SECONDS="7200",
        # The helper with the hub, not on demand: the rounds measure the steady state (and
        # settled_processes counts it), not a start inside the first round.
        CERTHUB_SIGNATURE_HELPER_FROM="0",
    )


@dataclass
class WalWatch:
    """The largest size the hub's SQLite write-ahead log reached while watched."""

    largest: int = 0


@contextlib.asynccontextmanager
async def watching_wal(ledger: Path) -> AsyncIterator[WalWatch]:
    """While inside, note the largest size the hub's SQLite write-ahead log reaches."""
    seen = WalWatch()

    async def watch() -> None:
        wal = ledger.with_name(ledger.name + "-wal")
        while True:
            with contextlib.suppress(FileNotFoundError):
                seen.largest = max(seen.largest, wal.stat().st_size)
            await asyncio.sleep(0.5)

    task = asyncio.create_task(watch())
    try:
        yield seen
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def sqlite_count(path: Path) -> int:
    """Reports in the hub's SQLite ledger (a reader beside the running hub, or after it)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as conn:
        query = "SELECT count(*) FROM ledger WHERE sender = ?"
        return int(conn.execute(query, (SENDER,)).fetchone()[0])


async def pg_count(url: str) -> int:
    """Reports in the hub's PostgreSQL ledger."""
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM ledger WHERE sender = $1", SENDER))
    finally:
        await conn.close()
