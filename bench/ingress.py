"""Ingress benchmark: the hub against the bare verify-and-202 floor, in one run.

    .venv/bin/python bench/ingress.py            # or: make bench

Both servers run on loopback with the same number of processes (the hub and
its signature helper; the bare handler twice on one port); this process is
the load generator. It measures

* peak: closed loops at each ``--concurrency`` level (requests in flight),
  accepted/s and latency, in ``--rounds`` rounds that alternate hub and
  bare, so both see the same machine (this shared VM drifts by ±20% within
  minutes); a server's peak in a round is its best level, and the hub/bare
  ratio is the median of the rounds' ratios;
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

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from load import Result, closed_loop, open_loop, wait_ready
from procstat import children, cpu_seconds
from scratch_db import add_database_url_option, create_scratch, drop_scratch

from certhub.mocks.local_reporting import ReportingSystem
from certhub.mocks.population import Population
from certhub.security import create_sender_key, read_private_key, trust_add

SENDER = "bench-city"


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


BARE_POOL = 20_000  # distinct reports the bare handler cycles through


def sign_tokens(key_path: Path, count: int) -> list[bytes]:
    """Pre-sign ``count`` distinct realistic reports (so signing is not measured)."""
    city = ReportingSystem.__new__(ReportingSystem)
    city.key = read_private_key(key_path)
    city.sender = SENDER
    city.population = Population(seed=7)
    return [city.sign(city.population.eligibility_report()) for _ in range(count)]


async def measure(
    side: Side, args: argparse.Namespace, *, in_flight: int = 0, rate: float | None = None
) -> Result:
    """One phase against one server: peak (closed loop, ``in_flight``) or, given a rate, paced."""
    cpu_before = cpu_seconds(side.pids)
    if rate is None:
        result = await closed_loop(side.url, side.tokens, in_flight, args.seconds, side.name)
    else:
        result = await open_loop(side.url, side.tokens, rate, args.seconds, side.name)
        result.rate_asked = rate
    result.cpu_us_per_request = (cpu_seconds(side.pids) - cpu_before) / max(1, result.ok) * 1e6
    return result


@dataclass
class Side:
    """One server under test: its URL, the reports it gets and its processes."""

    name: str
    url: str
    tokens: Iterator[bytes]
    pids: list[int]


async def peak(side: Side, args: argparse.Namespace) -> tuple[Result, list[Result]]:
    """The server's best closed-loop rate over the levels of ``--concurrency``, and all of them.

    A server's peak is the rate it reaches once enough requests are in flight
    to keep it busy, and that number need not be the same for both servers
    (a group commit batches what is in flight).
    """
    results = [await measure(side, args, in_flight=level) for level in args.concurrency]
    return max(results, key=lambda result: result.rate), results


async def alternate(
    hub: Side, bare: Side, args: argparse.Namespace
) -> tuple[list[tuple[Result, Result]], list[Result], list[Result]]:
    """Warm both up, then peak rounds alternating hub and bare, then both paced.

    Returns each round's (hub, bare) peaks, every closed-loop phase, and the paced phases.
    """
    for side in (hub, bare):
        await closed_loop(side.url, side.tokens, args.concurrency[0], args.warmup, side.name)
    rounds, phases = [], []
    for _ in range(args.rounds):
        hub_peak, hub_phases = await peak(hub, args)
        bare_peak, bare_phases = await peak(bare, args)
        rounds.append((hub_peak, bare_peak))
        phases += hub_phases + bare_phases
    half = statistics.median(hub_peak.rate for hub_peak, _ in rounds) / 2
    paced = [await measure(side, args, rate=half) for side in (hub, bare)]
    return rounds, phases, paced


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
    hub_seconds = args.seconds * (args.rounds * len(args.concurrency) + 1) + args.warmup
    signed = sign_tokens(key_path, int(hub_seconds * args.max_rate))
    hub_tokens, bare_tokens = iter(signed), itertools.cycle(signed[:BARE_POOL])
    env = dict(os.environ, CERTHUB_DATA_DIR=str(work / "data"), CERTHUB_LOG_LEVEL="WARNING")
    database_url = None
    if args.database_url:  # a throw-away database on that server, dropped at the end
        database_url = await create_scratch(args.database_url)
        env["CERTHUB_DATABASE_URL"] = database_url
    bare_port, hub_port = free_port(), free_port()
    python = sys.executable
    hub = start([python, "-m", "certhub.hub.cli.main", "serve", "--port", str(hub_port)], env)
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
        rounds, phases, paced = await alternate(hub_side, bare_side, args)
    finally:
        for process in servers:
            process.terminate()
            process.wait(timeout=30)
    results = [*phases, *paced]
    accepted = sum(r.ok for r in results if r.server == "hub")
    if database_url is None:
        warm = await_count(work / "data" / "ledger.sqlite3")
    else:
        warm = await pg_count(database_url)
        await drop_scratch(args.database_url, database_url)
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
        "peak_in_flight_by_round": [[hub.in_flight, bare.in_flight] for hub, bare in rounds],
        "cpu_count": os.cpu_count(),
    }


def await_count(path: Path) -> int:
    """Rows in the hub's ledger after it stopped (durability check)."""
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM ledger").fetchone()[0])


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
        type=lambda text: [int(level) for level in text.split(",")],
        default=[64, 128],
        help="requests in flight in the peak phases, comma-separated: each server's peak is"
        " its best rate over these levels (default 64,128)",
    )
    parser.add_argument(
        "--max-rate",
        type=float,
        default=4000.0,
        help="upper bound of the hub's requests/s, to size the pool of pre-signed reports",
    )
    add_database_url_option(parser, "the hub")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    print(f"ledger: {figures['ledger']}, {figures['processes_per_server']} process(es) per server")
    print(
        f"{'server':6} {'phase':6} {'flight':>6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'errors':>6} {'CPU us/req':>10}"
    )
    for row in figures["results"]:  # type: ignore[attr-defined]
        print(
            f"{row['server']:6} {row['phase']:6} {row['in_flight'] or '':>6} {row['rate']:9.1f}"
            f" {row['p50_ms']:8.2f}"
            f" {row['p99_ms']:8.2f} {row['errors']:6} {row['cpu_us_per_request']:10.0f}"
        )
    by_round = ", ".join(f"{ratio:.1%}" for ratio in figures["hub_over_bare_peak_by_round"])  # type: ignore[attr-defined]
    print(f"hub/bare peak throughput: {figures['hub_over_bare_peak']:.1%} (median of {by_round})")
    levels = figures["peak_in_flight_by_round"]
    hub_levels = ", ".join(str(hub) for hub, _ in levels)  # type: ignore[attr-defined]
    bare_levels = ", ".join(str(bare) for _, bare in levels)  # type: ignore[attr-defined]
    print(f"peaks reached with in flight: hub {hub_levels}; bare {bare_levels}")
    print(f"bare/hub CPU per request: {figures['bare_over_hub_cpu_per_request']:.1%} (median)")
    print(
        f"ledger rows after the run: {figures['ledger_rows']}"
        f" (hub accepted in measured phases: {figures['hub_accepted_measured']}, plus warm-up)"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
