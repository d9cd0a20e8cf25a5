"""Ingress benchmark: the hub against the bare verify-and-202 floor, in one run.

    .venv/bin/python bench/ingress.py            # or: make bench

Both servers run on loopback with the same number of processes (the hub and
its signature helper; the bare handler twice on one port). Two load
generators drive them, each in turn:

* ``wrk`` (C, one thread, ``bench/ingress.lua``): every request posts a
  distinct pre-signed report read from a file; its CPU share is read from
  ``/proc/<pid>/stat`` while it runs. This is the generator the target is
  judged by: it costs a few µs per request, so it is not what saturates;
* this process (Python, aiohttp), the earlier generator, reported beside it
  so the change of generator is visible.

It measures

* peak: closed loops at each ``--concurrency`` level (requests in flight),
  accepted/s and latency, in ``--rounds`` rounds that alternate hub and
  bare, so both see the same machine (this shared VM drifts by ±20% within
  minutes); a server's peak in a round is its best level, and the hub/bare
  ratio is the median of the rounds' ratios, per generator;
* durability: after each round the hub's ledger must hold at least as many
  new reports as the 202s it gave (a request still in flight when a phase
  stops may commit without being counted, so the ledger may hold more);
* paced: an open loop at half the hub's median ``wrk`` peak, latency measured
  from each request's scheduled start (no coordinated omission). This runs
  on ``bench/paced.py`` (prepared HTTP/1.1 bytes on keep-alive connections):
  wrk's ``delay()`` only spaces a connection's requests after each answer (a
  closed loop: a slow answer delays the following requests and hides their
  wait), and the aiohttp client took a third of a core at half the hub's
  peak; its CPU share is printed;

then prints a table and, with ``--json FILE``, the figures as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))  # the tests' /proc process tree

from ingress_figures import ratios, report
from ingress_servers import (
    free_port,
    hub_environment,
    hub_process_count,
    pg_count,
    sender_trusted_by,
    settled_processes,
    sign_tokens,
    sqlite_count,
    start,
    start_bare,
    watching_wal,
)
from load import Result, closed_loop, open_loop, wait_ready
from procstat import autogroup, cpu_seconds, run_queue_seconds
from scratch_db import add_database_url_option, create_scratch, drop_scratch
from wrk import ensure_wrk, run_wrk, write_bodies

BARE_POOL = 20_000  # distinct reports the bare handler cycles through
GENERATORS = ("wrk", "python")


@dataclass
class Side:
    """One server under test: its URL, the reports it gets and its processes.

    ``wrk_bodies(n)`` is the file of at least ``n`` reports for one wrk phase
    (new ones for the hub, the same cycled pool for the bare handler);
    ``durable()`` counts the reports in the hub's ledger (None: not a ledger).
    """

    name: str
    url: str
    tokens: Iterator[bytes]
    pids: list[int]
    wrk_bodies: Callable[[int], Path]
    wrap: bool
    durable: Callable[[], Awaitable[int]] | None = None
    checks: list[dict[str, int]] = field(default_factory=list)


async def measure(
    side: Side,
    args: argparse.Namespace,
    generator: str,
    *,
    in_flight: int = 0,
    rate: float | None = None,
) -> Result:
    """One phase against one server: peak (closed loop, ``in_flight``) or, given a rate, paced."""
    cpu_before, waited_before = cpu_seconds(side.pids), run_queue_seconds(side.pids)
    if rate is not None:
        result = await open_loop(side.url, side.tokens, rate, args.seconds, side.name)
        result.rate_asked = rate
    elif generator == "wrk":
        bodies = side.wrk_bodies(int(args.max_rate * (args.seconds + 1)))
        result = await run_wrk(
            side.url,
            bodies,
            connections=in_flight,
            seconds=args.seconds,
            name=side.name,
            wrap=side.wrap,
            threads=args.wrk_threads,
        )
    else:
        result = await closed_loop(side.url, side.tokens, in_flight, args.seconds, side.name)
    result.cpu_us_per_request = (cpu_seconds(side.pids) - cpu_before) / max(1, result.ok) * 1e6
    result.cpu_wait = (run_queue_seconds(side.pids) - waited_before) / result.seconds
    return result


async def peak(side: Side, args: argparse.Namespace, generator: str) -> tuple[Result, list[Result]]:
    """The server's best closed-loop rate over the levels of ``--concurrency``, and all of them.

    A server's peak is the rate it reaches once enough requests are in flight
    to keep it busy, and that number need not be the same for both servers
    (a group commit batches what is in flight). For the hub, the ledger is
    counted before and after: every 202 of the phases must be in it.
    """
    before = await side.durable() if side.durable is not None else 0
    results = [await measure(side, args, generator, in_flight=level) for level in args.concurrency]
    if side.durable is not None:
        added, accepted = await side.durable() - before, sum(r.ok for r in results)
        side.checks.append({"accepted": accepted, "ledger_added": added})
        if added < accepted:
            raise RuntimeError(f"{accepted} reports accepted but only {added} in the ledger")
    return max(results, key=lambda result: result.rate), results


Rounds = dict[str, list[tuple[Result, Result]]]


async def alternate(
    hub: Side, bare: Side, args: argparse.Namespace
) -> tuple[Rounds, list[Result], list[Result]]:
    """Warm both up, then peak rounds alternating hub and bare per generator, then paced.

    Returns each generator's rounds of (hub, bare) peaks, every closed-loop
    phase, and the paced phases.
    """
    for side in (hub, bare):
        await closed_loop(side.url, side.tokens, args.concurrency[0], args.warmup, side.name)
    rounds: Rounds = {generator: [] for generator in args.generators}
    phases: list[Result] = []
    for _ in range(args.rounds):
        for generator in args.generators:
            hub_peak, hub_phases = await peak(hub, args, generator)
            bare_peak, bare_phases = await peak(bare, args, generator)
            rounds[generator].append((hub_peak, bare_peak))
            phases += hub_phases + bare_phases
    judged = rounds[args.generators[0]]
    half = statistics.median(hub_peak.rate for hub_peak, _ in judged) / 2
    paced = [await measure(side, args, "python", rate=half) for side in (hub, bare)]
    return rounds, phases, paced


def tokens_needed(args: argparse.Namespace) -> tuple[int, int]:
    """(reports for the Python phases of the hub, reports per wrk phase of the hub)."""
    levels = len(args.concurrency)
    python_seconds = args.warmup + args.seconds  # warm-up and the paced phase
    if "python" in args.generators:
        python_seconds += args.seconds * args.rounds * levels
    per_wrk_phase = int(args.max_rate * (args.seconds + 1))
    return int(python_seconds * args.max_rate), per_wrk_phase


async def run(args: argparse.Namespace) -> dict[str, object]:
    """The whole benchmark; returns the figures."""
    if "wrk" in args.generators:
        ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="certhub-bench-"))
    key_path, jwk_path = sender_trusted_by(work)
    # Every report the hub gets is new (a re-send would be a cheap duplicate);
    # the bare handler keeps no state, so it cycles through a pool of them.
    python_count, per_wrk_phase = tokens_needed(args)
    wrk_phases = args.rounds * len(args.concurrency) if "wrk" in args.generators else 0
    signed = sign_tokens(key_path, python_count + wrk_phases * per_wrk_phase)
    hub_pool = iter(signed)
    hub_tokens = iter(list(itertools.islice(hub_pool, python_count)))
    bare_tokens = itertools.cycle(signed[:BARE_POOL])
    bare_file = write_bodies(work / "bare.jws", signed[:BARE_POOL])
    phase_files = itertools.count()

    def hub_bodies(count: int) -> Path:
        path = work / f"hub-{next(phase_files)}.jws"
        return write_bodies(path, list(itertools.islice(hub_pool, count)))

    env = hub_environment(work)
    database_url = None
    if args.database_url:  # a throw-away database on that server, dropped at the end
        database_url = await create_scratch(args.database_url)
        env["CERTHUB_DATABASE_URL"] = database_url
    bare_port, hub_port = free_port(), free_port()
    serve = [sys.executable, "-m", "certhub.hub.cli.main", "serve", "--port", str(hub_port)]
    if args.hub_processes > 1:
        serve += ["--processes", str(args.hub_processes)]
    hub = start(serve, env, work / "hub.log")
    servers = [hub]
    ledger = work / "data" / "ledger.sqlite3"

    async def durable() -> int:
        if database_url is not None:
            return await pg_count(database_url)
        return await asyncio.to_thread(sqlite_count, ledger)

    try:
        await wait_ready(f"http://127.0.0.1:{hub_port}/healthz", time.monotonic() + 60)
        hub_pids = await settled_processes(
            hub.pid, at_least=hub_process_count(args.hub_processes, env)
        )
        # The same number of processes on both sides: the hub's signature helper counts.
        processes = args.bare_processes or len(hub_pids)
        bare = start_bare(bare_port, jwk_path, processes, env)
        servers += bare
        await wait_ready(f"http://127.0.0.1:{bare_port}/", time.monotonic() + 30)
        hub_side = Side(
            "hub",
            f"http://127.0.0.1:{hub_port}/v1/reports",
            hub_tokens,
            [hub.pid],
            hub_bodies,
            wrap=False,
            durable=durable,
        )
        bare_side = Side(
            "bare",
            f"http://127.0.0.1:{bare_port}/v1/reports",
            bare_tokens,
            [p.pid for p in bare],
            lambda _count: bare_file,
            wrap=True,
        )
        async with watching_wal(ledger) as wal:
            rounds, phases, paced = await alternate(hub_side, bare_side, args)
    finally:
        for process in servers:
            process.terminate()
            process.wait(timeout=30)
    results = [*phases, *paced]
    accepted = sum(r.ok for r in results if r.server == "hub")
    final = await durable()
    if database_url is not None:
        await drop_scratch(args.database_url, database_url)
    # The ledger and the phases' report files are 0.3-0.6 GB a run; a failed run keeps
    # them (and hub.log) for a look.
    shutil.rmtree(work, ignore_errors=True)
    return {
        "ledger": "sqlite" if database_url is None else "postgresql",
        "results": [asdict(r) | {"rate": round(r.rate, 1)} for r in results],
        "by_generator": {gen: ratios(pairs) for gen, pairs in rounds.items()},
        "judged_by": args.generators[0],
        "hub_paced_rate": round(paced[0].rate_asked, 1),
        "durability_by_round": hub_side.checks,
        "largest_wal_bytes": wal.largest,
        "ledger_rows": final,
        "hub_accepted_measured": accepted,
        "processes_per_server": processes,
        "hub_processes": args.hub_processes,
        "concurrency": args.concurrency,
        "cpu_count": os.cpu_count(),
        "autogroup": autogroup(),  # whose nice counts against other sessions' work
        "load_average_at_end": os.getloadavg(),
    }


def _levels(text: str) -> list[int]:
    return [int(level) for level in text.split(",")]


def _generators(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    unknown = set(names) - set(GENERATORS)
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"use one or both of {', '.join(GENERATORS)}")
    return names


def parse_args() -> argparse.Namespace:
    """The benchmark's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument(
        "--bare-processes",
        type=int,
        default=0,
        help="processes of the bare handler (default: as many as the hub has, helpers included)",
    )
    parser.add_argument(
        "--hub-processes",
        type=int,
        default=1,
        help="HTTP processes of the hub (certhub serve --processes N; default 1)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating hub/bare peak rounds")
    parser.add_argument(
        "--concurrency",
        type=_levels,
        default=[64, 128],
        help="requests in flight in the peak phases, comma-separated: each server's peak is"
        " its best rate over these levels (default 64,128)",
    )
    parser.add_argument(
        "--generators",
        type=_generators,
        default=list(GENERATORS),
        help="load generators, comma-separated, the first judged and paced by (default wrk,python)",
    )
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument(
        "--max-rate",
        type=float,
        default=4000.0,
        help="upper bound of the hub's requests/s, to size the pool of pre-signed reports",
    )
    add_database_url_option(parser, "the hub")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    return parser.parse_args()


def main() -> None:
    """Parse arguments, run, print."""
    args = parse_args()
    figures = asyncio.run(run(args))
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
