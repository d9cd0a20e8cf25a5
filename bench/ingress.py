"""Ingress benchmark: the hub against the bare verify-and-202 floor, in one run.

    .venv/bin/python bench/ingress.py            # or: make bench

Both servers run on loopback with the same number of processes (the hub and
its signature helper; the bare handler twice on one port); this process is
the load generator. It measures

* peak: closed loop, ``--concurrency`` requests in flight, accepted/s and
  latency, in ``--rounds`` rounds that alternate hub and bare, so both see
  the same machine (this shared VM drifts by ±20% within minutes); the
  hub/bare ratio is the median of the rounds' ratios;
* paced: open loop at half the hub's median peak rate, latency measured from
  each request's scheduled start (no coordinated omission);

then checks that every report the hub accepted is in its ledger. Figures are
printed as a table and as JSON (``--json FILE``).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
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

from procstat import children, cpu_seconds

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
    rate_asked: float = float("nan")  # the paced phase's target rate

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
BARE_POOL = 20_000  # distinct reports the bare handler cycles through


def sign_tokens(key_path: Path, count: int) -> list[bytes]:
    """Pre-sign ``count`` distinct realistic reports (so signing is not measured)."""
    city = ReportingSystem.__new__(ReportingSystem)
    city.key = read_private_key(key_path)
    city.sender = SENDER
    city.population = Population(seed=7)
    return [city.sign(city.population.eligibility_report()) for _ in range(count)]


async def measure(
    server: str,
    url: str,
    tokens: Iterator[bytes],
    args: argparse.Namespace,
    *,
    pids: list[int],
    rate: float | None = None,
) -> Result:
    """One phase against one server: peak (closed loop) or, given a rate, paced."""
    cpu_before = cpu_seconds(pids)
    if rate is None:
        result = await closed_loop(url, tokens, args.concurrency, args.seconds, server)
    else:
        result = await open_loop(url, tokens, rate, args.seconds, server)
        result.rate_asked = rate
    result.cpu_us_per_request = (cpu_seconds(pids) - cpu_before) / max(1, result.ok) * 1e6
    return result


@dataclass
class Side:
    """One server under test: its URL, the reports it gets and its processes."""

    name: str
    url: str
    tokens: Iterator[bytes]
    pids: list[int]


async def alternate(
    hub: Side, bare: Side, args: argparse.Namespace
) -> tuple[list[tuple[Result, Result]], list[Result]]:
    """Warm both up, then peak rounds alternating hub and bare, then both paced."""
    for side in (hub, bare):
        await closed_loop(side.url, side.tokens, args.concurrency, args.warmup, side.name)
    rounds = []
    for _ in range(args.rounds):
        hub_peak = await measure(hub.name, hub.url, hub.tokens, args, pids=hub.pids)
        bare_peak = await measure(bare.name, bare.url, bare.tokens, args, pids=bare.pids)
        rounds.append((hub_peak, bare_peak))
    half = statistics.median(hub_peak.rate for hub_peak, _ in rounds) / 2
    paced = [
        await measure(side.name, side.url, side.tokens, args, pids=side.pids, rate=half)
        for side in (hub, bare)
    ]
    return rounds, paced


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
    # Every report the hub gets is new (a re-send would be a cheap duplicate);
    # the bare handler keeps no state, so it cycles through a pool of them.
    hub_seconds = args.seconds * (args.rounds + 1) + args.warmup
    signed = sign_tokens(key_path, int(hub_seconds * args.max_rate))
    hub_tokens, bare_tokens = iter(signed), itertools.cycle(signed[: BARE_POOL])
    env = dict(os.environ, CERTHUB_DATA_DIR=str(work / "data"), CERTHUB_LOG_LEVEL="WARNING")
    database_url = None
    if args.database_url:  # a throw-away database on that server, dropped at the end
        database = f"certhub_bench_{os.getpid()}_{int(time.time())}"
        await pg_admin(args.database_url, f'CREATE DATABASE "{database}"')
        database_url = args.database_url.rsplit("/", 1)[0] + f"/{database}"
        env["CERTHUB_DATABASE_URL"] = database_url
    bare_port, hub_port = free_port(), free_port()
    python = sys.executable
    hub = start([python, "-m", "hub.cli", "serve", "--port", str(hub_port)], env)
    servers = [hub]
    try:
        await wait_ready(f"http://127.0.0.1:{hub_port}/healthz", time.monotonic() + 30)
        # The same number of processes on both sides: the hub's signature helper counts.
        processes = args.bare_processes or 1 + len(children(hub.pid))
        bare_cmd = [python, str(ROOT / "bench" / "bare_server.py"), "--port", str(bare_port)]
        bare = [start([*bare_cmd, "--jwk", str(jwk_path)], env) for _ in range(processes)]
        servers += bare
        await wait_ready(f"http://127.0.0.1:{bare_port}/", time.monotonic() + 30)
        hub_side = Side("hub", f"http://127.0.0.1:{hub_port}/v1/reports", hub_tokens, [hub.pid])
        bare_side = Side(
            "bare", f"http://127.0.0.1:{bare_port}/v1/reports", bare_tokens, [p.pid for p in bare]
        )
        rounds, paced = await alternate(hub_side, bare_side, args)
    finally:
        for process in servers:
            process.terminate()
            process.wait(timeout=30)
    results = [*(result for pair in rounds for result in pair), *paced]
    accepted = sum(r.ok for r in results if r.server == "hub")
    if database_url is None:
        warm = await_count(work / "data" / "ledger.sqlite3")
    else:
        warm = await pg_count(database_url)
        drop = f'DROP DATABASE IF EXISTS "{database_url.rsplit("/", 1)[1]}" WITH (FORCE)'
        await pg_admin(args.database_url, drop)
    half = paced[0].rate_asked
    ratios = [hub.rate / bare.rate for hub, bare in rounds]
    cpu_ratios = [bare.cpu_us_per_request / hub.cpu_us_per_request for hub, bare in rounds]
    return {
        "ledger": "sqlite" if database_url is None else "postgresql",
        "results": [asdict(r) | {"rate": round(r.rate, 1)} for r in results],
        "hub_over_bare_peak_by_round": [round(ratio, 3) for ratio in ratios],
        "hub_over_bare_peak": round(statistics.median(ratios), 3),
        "bare_over_hub_cpu_per_request": round(statistics.median(cpu_ratios), 3),
        "hub_paced_rate": round(half, 1),
        "ledger_rows": warm,
        "hub_accepted_measured": accepted,
        "processes_per_server": processes,
        "concurrency": args.concurrency,
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
    parser.add_argument(
        "--bare-processes",
        type=int,
        default=0,
        help="processes of the bare handler (default: as many as the hub has, helper included)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating hub/bare peak rounds")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=64,
        help="requests in flight in the peak phases (group commit batches what is in flight)",
    )
    parser.add_argument(
        "--max-rate",
        type=float,
        default=4000.0,
        help="upper bound of the hub's requests/s, to size the pool of pre-signed reports",
    )
    parser.add_argument(
        "--database-url",
        help="run the hub on PostgreSQL: a throw-away database is created on this server"
        " (e.g. postgresql://postgres@127.0.0.1:5432/postgres) and dropped; default SQLite",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    print(f"ledger: {figures['ledger']}, {figures['processes_per_server']} process(es) per server")
    print(
        f"{'server':6} {'phase':6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
        f" {'CPU us/req':>10}"
    )
    for row in figures["results"]:  # type: ignore[attr-defined]
        print(
            f"{row['server']:6} {row['phase']:6} {row['rate']:9.1f} {row['p50_ms']:8.2f}"
            f" {row['p99_ms']:8.2f} {row['errors']:6} {row['cpu_us_per_request']:10.0f}"
        )
    by_round = ", ".join(f"{ratio:.1%}" for ratio in figures["hub_over_bare_peak_by_round"])  # type: ignore[attr-defined]
    print(f"hub/bare peak throughput: {figures['hub_over_bare_peak']:.1%} (median of {by_round})")
    print(f"bare/hub CPU per request: {figures['bare_over_hub_cpu_per_request']:.1%} (median)")
    print(
        f"ledger rows after the run: {figures['ledger_rows']}"
        f" (hub accepted in measured phases: {figures['hub_accepted_measured']}, plus warm-up)"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
