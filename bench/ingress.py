"""Ingress benchmark: the hub against the bare verify-and-202 floor, in one run.

    .venv/bin/python bench/ingress.py            # or: make bench

Both servers run as separate single-process servers on loopback; this process
is the load generator. For each server it measures

* peak: closed loop, ``--concurrency`` requests in flight, accepted/s and latency;
* paced: open loop at half the hub's peak rate, latency measured from each
  request's scheduled start (no coordinated omission);

then checks that every report the hub accepted is in its ledger. Figures are
printed as a table and as JSON (``--json FILE``), with the hub/bare ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mocks.local_reporting import ReportingSystem
from mocks.population import Population
from security import create_sender_key, read_private_key, trust_add

SENDER = "bench-city"


@dataclass
class Result:
    """One measured phase."""

    server: str
    phase: str
    ok: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_request: float = float("nan")

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return self.ok / self.seconds


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """The q-quantile of ``values`` in milliseconds."""
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=1000)[int(q * 1000) - 1] * 1000


async def wait_ready(url: str, deadline: float) -> None:
    """Poll ``url`` until it answers or the deadline passes."""
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


async def closed_loop(
    url: str, tokens: Iterator[bytes], concurrency: int, seconds: float, name: str
) -> Result:
    """Keep ``concurrency`` requests in flight for ``seconds``."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                token = next(tokens)
                started = time.perf_counter()
                async with session.post(url, data=token, headers=HEADERS) as response:
                    await response.read()
                    if response.status == 202:
                        latencies.append(time.perf_counter() - started)
                    else:
                        errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Result(
        name,
        "peak",
        len(latencies),
        errors,
        elapsed,
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
    )


async def open_loop(
    url: str, tokens: Iterator[bytes], rate: float, seconds: float, name: str
) -> Result:
    """Send at a fixed ``rate``; latency counts from each request's scheduled time."""
    latencies: list[float] = []
    errors = 0
    total = int(rate * seconds)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(scheduled: float, token: bytes) -> None:
            nonlocal errors
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            async with session.post(url, data=token, headers=HEADERS) as response:
                await response.read()
                if response.status == 202:
                    latencies.append(time.perf_counter() - scheduled)
                else:
                    errors += 1

        begin = time.perf_counter() + 0.2
        await asyncio.gather(*(one(begin + i / rate, next(tokens)) for i in range(total)))
        elapsed = time.perf_counter() - begin
    return Result(
        name,
        "paced",
        len(latencies),
        errors,
        elapsed,
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
    )


HEADERS = {"Content-Type": "application/jose"}


def sign_tokens(key_path: Path, count: int) -> list[bytes]:
    """Pre-sign ``count`` distinct realistic reports (so signing is not measured)."""
    city = ReportingSystem.__new__(ReportingSystem)
    city.key = read_private_key(key_path)
    city.sender = SENDER
    city.population = Population(seed=7)
    return [city.sign(city.population.eligibility_report()) for _ in range(count)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(
    server: str,
    url: str,
    tokens: Iterator[bytes],
    args: argparse.Namespace,
    *,
    pid: int,
    rate: float | None,
) -> list[Result]:
    """Warm up, then the peak phase, then (given a rate) the paced phase."""
    await closed_loop(url, tokens, args.concurrency, args.warmup, server)
    results = []
    for phase in ("peak", "paced"):
        if phase == "paced" and rate is None:
            break
        cpu_before = cpu_seconds(pid)
        if phase == "peak":
            result = await closed_loop(url, tokens, args.concurrency, args.seconds, server)
        else:
            result = await open_loop(url, tokens, rate or 0.0, args.seconds, server)
        result.cpu_us_per_request = (cpu_seconds(pid) - cpu_before) / max(1, result.ok) * 1e6
        results.append(result)
    return results


def start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start a server process with its output discarded."""
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def run(args: argparse.Namespace) -> dict[str, object]:
    """The whole benchmark; returns the figures."""
    work = Path(tempfile.mkdtemp(prefix="certhub-bench-"))
    key_path, jwk_path = create_sender_key(SENDER, work / "parties")
    (work / "data").mkdir()
    trust_add(
        work / "data" / "trust.jwks.json",
        jwk_path,
        sender=SENDER,
        may_send=["eligibility_report/v1"],
        may_read=False,
    )
    per_server = int((args.seconds * 2 + args.warmup) * args.max_rate)
    tokens = iter(sign_tokens(key_path, per_server * 2))
    env = dict(os.environ, CERTHUB_DATA_DIR=str(work / "data"), CERTHUB_LOG_LEVEL="WARNING")
    database_url = None
    if args.database_url:  # a throw-away database on that server, dropped at the end
        database = f"certhub_bench_{os.getpid()}_{int(time.time())}"
        await pg_admin(args.database_url, f'CREATE DATABASE "{database}"')
        database_url = args.database_url.rsplit("/", 1)[0] + f"/{database}"
        env["CERTHUB_DATABASE_URL"] = database_url
    bare_port, hub_port = free_port(), free_port()
    python = sys.executable
    bare = start(
        [
            python,
            str(ROOT / "bench" / "bare_server.py"),
            "--port",
            str(bare_port),
            "--jwk",
            str(jwk_path),
        ],
        env,
    )
    hub = start([python, "-m", "hub.cli", "serve", "--port", str(hub_port)], env)
    try:
        deadline = time.monotonic() + 30
        await wait_ready(f"http://127.0.0.1:{bare_port}/", deadline)
        await wait_ready(f"http://127.0.0.1:{hub_port}/healthz", deadline)
        hub_url = f"http://127.0.0.1:{hub_port}/v1/reports"
        bare_url = f"http://127.0.0.1:{bare_port}/v1/reports"
        hub_peak = await measure("hub", hub_url, tokens, args, pid=hub.pid, rate=None)
        half = hub_peak[0].rate / 2
        cpu_before = cpu_seconds(hub.pid)
        hub_paced = await open_loop(hub_url, tokens, half, args.seconds, "hub")
        hub_paced.cpu_us_per_request = (cpu_seconds(hub.pid) - cpu_before) / hub_paced.ok * 1e6
        bare_results = await measure("bare", bare_url, tokens, args, pid=bare.pid, rate=half)
    finally:
        for process in (bare, hub):
            process.terminate()
            process.wait(timeout=30)
    results = [*hub_peak, hub_paced, *bare_results]
    accepted = sum(r.ok for r in results if r.server == "hub")
    if database_url is None:
        warm = await_count(work / "data" / "ledger.sqlite3")
    else:
        warm = await pg_count(database_url)
        drop = f'DROP DATABASE IF EXISTS "{database_url.rsplit("/", 1)[1]}" WITH (FORCE)'
        await pg_admin(args.database_url, drop)
    return {
        "ledger": "sqlite" if database_url is None else "postgresql",
        "results": [asdict(r) | {"rate": round(r.rate, 1)} for r in results],
        "hub_over_bare_peak": round(hub_peak[0].rate / bare_results[0].rate, 3),
        "bare_over_hub_cpu_per_request": round(
            bare_results[0].cpu_us_per_request / hub_peak[0].cpu_us_per_request, 3
        ),
        "hub_paced_rate": round(half, 1),
        "ledger_rows": warm,
        "hub_accepted_measured": accepted,
        "cpu_count": os.cpu_count(),
    }


def await_count(path: Path) -> int:
    """Rows in the hub's ledger after it stopped (durability check)."""
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM ledger").fetchone()[0])


async def pg_admin(url: str, sql: str) -> None:
    """Run one statement on a PostgreSQL server's maintenance database."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def pg_count(url: str) -> int:
    """Rows in the hub's PostgreSQL ledger after it stopped."""
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM ledger"))
    finally:
        await conn.close()


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--max-rate",
        type=float,
        default=4000.0,
        help="upper bound of requests/s used to size the pre-signed pool",
    )
    parser.add_argument(
        "--database-url",
        help="run the hub on PostgreSQL: a throw-away database is created on this server"
        " (e.g. postgresql://postgres@127.0.0.1:5432/postgres) and dropped; default SQLite",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    print(f"ledger: {figures['ledger']}")
    print(
        f"{'server':6} {'phase':6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
        f" {'CPU us/req':>10}"
    )
    for row in figures["results"]:  # type: ignore[attr-defined]
        print(
            f"{row['server']:6} {row['phase']:6} {row['rate']:9.1f} {row['p50_ms']:8.2f}"
            f" {row['p99_ms']:8.2f} {row['errors']:6} {row['cpu_us_per_request']:10.0f}"
        )
    print(f"hub/bare peak throughput: {figures['hub_over_bare_peak']:.1%}")
    print(f"bare/hub CPU per request: {figures['bare_over_hub_cpu_per_request']:.1%}")
    print(
        f"ledger rows after the run: {figures['ledger_rows']}"
        f" (hub accepted in measured phases: {figures['hub_accepted_measured']}, plus warm-up)"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
