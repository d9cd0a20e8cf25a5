"""Two hubs side by side under wrk: another tree or other settings against this one.

    .venv/bin/python bench/ingress_ab.py BASE_TREE .            # a worktree of the old rev
    .venv/bin/python bench/ingress_ab.py . ".;--processes 2" ".;CERTHUB_SIGNATURE_HELPER=false"

Each argument is a hub variant: a source tree (put first on ``PYTHONPATH``:
``git worktree add /tmp/base <rev>``), then, separated by ``;``, settings
(``NAME=VALUE``) and ``serve`` options (``--processes 2``). Every variant runs
as its own ``certhub serve`` on an empty data folder, all at once; then
``--rounds`` rounds push fresh pre-signed reports with wrk at
``--connections`` in flight, one variant after the other, the order reversed
every round (this shared VM drifts within minutes).

For each phase it prints the rate, the CPU per accepted request of the
variant's processes (helpers and ingress processes included), of each
process's main thread (the event loop: the hub's ceiling while it is one
thread) and of the other processes, wrk's CPU share, and whether every 202
is in the ledger. On a machine shared with other work the rates follow the
load; CPU per request, and the loop thread's above all, moves least.
``bench/ingress.py`` measures the hub against the bare handler;
``bench/ingress_instructions.py`` counts instructions.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))  # ingress_servers: the tests' process tree

from ingress_servers import (
    free_port,
    hub_environment,
    hub_process_count,
    sender_trusted_by,
    settled_processes,
    sign_tokens,
    sqlite_count,
    start,
)
from load import wait_ready
from proctree import descendants
from wrk import ensure_wrk, run_wrk, write_bodies

WARM_UP_SECONDS = 2  # each hub's warm-up before the measured rounds


@dataclass
class Variant:
    """One hub under test: what it runs and where."""

    spec: str
    port: int
    process: subprocess.Popen[bytes]
    work: Path


def parse_spec(spec: str) -> tuple[str, dict[str, str], list[str]]:
    """(tree, settings, serve options) of ``tree;NAME=VALUE;--option value``."""
    tree, *rest = spec.split(";")
    options = [word for part in rest if part.startswith("--") for word in part.split()]
    settings = dict(part.split("=", 1) for part in rest if not part.startswith("--"))
    return str(Path(tree).resolve()), settings, options


def thread_ticks(pid: int) -> dict[tuple[int, int], int]:
    """User + system clock ticks of every thread of ``pid`` and of its descendants."""
    ticks: dict[tuple[int, int], int] = {}
    for process in [pid, *descendants(pid)]:
        for task in Path(f"/proc/{process}/task").iterdir():
            try:
                fields = (task / "stat").read_text().rpartition(")")[2].split()
            except FileNotFoundError:  # the thread ended meanwhile
                continue
            ticks[(process, int(task.name))] = int(fields[11]) + int(fields[12])
    return ticks


async def start_variant(spec: str, trust: Path, base: Path, index: int) -> Variant:
    """A hub for ``spec`` on its own empty data folder, once it answers."""
    tree, settings, options = parse_spec(spec)
    work = base / f"hub{index}"
    await asyncio.to_thread((work / "data").mkdir, parents=True)
    await asyncio.to_thread(shutil.copyfile, trust, work / "data" / "trust.jwks.json")
    # ``python -m`` puts the working directory (this checkout) on sys.path before
    # PYTHONPATH: without PYTHONSAFEPATH every variant ran this tree's code, not its own.
    env = hub_environment(work) | {"PYTHONPATH": tree, "PYTHONSAFEPATH": "1"} | settings
    port = free_port()
    serve = [sys.executable, "-m", "certhub.hub.cli.main", "serve", "--port", str(port)]
    process = start([*serve, *options], env, work / "hub.log")
    await wait_ready(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 120)
    http = int(options[options.index("--processes") + 1]) if "--processes" in options else 1
    await settled_processes(process.pid, at_least=hub_process_count(http, env))
    await asyncio.to_thread(_check_tree, tree, env)
    return Variant(spec, port, process, work)


def _check_tree(tree: str, env: dict[str, str]) -> None:
    """Refuse to measure a variant that would import certhub from another tree than its own
    (the same interpreter, working directory and environment as its hub)."""
    where = subprocess.run(
        [sys.executable, "-c", "import certhub, os; print(os.path.realpath(certhub.__file__))"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not where.startswith(tree + os.sep):
        raise SystemExit(f"{tree}: its hub would import certhub from {where}")


async def phase(variant: Variant, bodies: Path, connections: int, seconds: float) -> str:
    """One measured wrk phase against ``variant``; its line of figures."""
    ledger = variant.work / "data" / "ledger.sqlite3"
    before = await asyncio.to_thread(sqlite_count, ledger)
    ticks = thread_ticks(variant.process.pid)
    url = f"http://127.0.0.1:{variant.port}/v1/reports"
    result = await run_wrk(
        url, bodies, connections=connections, seconds=seconds, name=variant.spec, wrap=False
    )
    after_ticks = thread_ticks(variant.process.pid)
    added = await asyncio.to_thread(sqlite_count, ledger) - before
    per_request = 1e6 / os.sysconf("SC_CLK_TCK") / max(1, result.ok)
    used = {key: tick - ticks.get(key, 0) for key, tick in after_ticks.items()}
    loops = {pid: used[(pid, tid)] for pid, tid in used if pid == tid}
    by_process = {pid: sum(t for (p, _), t in used.items() if p == pid) for pid in loops}
    main = variant.process.pid
    rest = [pid for pid in sorted(loops) if pid != main]
    other_loops = " ".join(f"{loops[pid] * per_request:.0f}" for pid in rest) or "-"
    others = " ".join(f"{by_process[pid] * per_request:.0f}" for pid in rest) or "-"
    total = sum(used.values()) * per_request
    durable = "durable" if added >= result.ok else f"LOST {result.ok - added}"
    return (
        f"{variant.spec[-36:]:>36}  {result.rate:7.0f} req/s  CPU/req {total:4.0f} µs"
        f"  main process {by_process[main] * per_request:4.0f}"
        f" (loop thread {loops[main] * per_request:4.0f})"
        f"  other processes {others} (their loop threads {other_loops})"
        f"  wrk {result.generator_cpu_share:.1%}  p50 {result.p50_ms:.0f} ms  {durable}"
    )


async def run(args: argparse.Namespace) -> None:
    """Start every variant, warm them up, then the alternating rounds."""
    ensure_wrk()
    base = Path(tempfile.mkdtemp(prefix="certhub-ab-"))
    key_path, _ = sender_trusted_by(base)
    per_phase = int(args.max_rate * (args.seconds + 1))
    warm_up = args.max_rate * (WARM_UP_SECONDS + 1)
    count = len(args.variants) * (warm_up + args.rounds * per_phase)
    pool = iter(sign_tokens(key_path, count))
    variants: list[Variant] = []
    try:
        for index, spec in enumerate(args.variants):
            trust = base / "data" / "trust.jwks.json"
            variants.append(await start_variant(spec, trust, base, index))
        for variant in variants:
            warm = write_bodies(variant.work / "warm.jws", list(itertools.islice(pool, warm_up)))
            url = f"http://127.0.0.1:{variant.port}/v1/reports"
            await run_wrk(
                url, warm, connections=64, seconds=WARM_UP_SECONDS, name="warm-up", wrap=False
            )
        for round_ in range(args.rounds):
            order = variants if round_ % 2 == 0 else variants[::-1]
            for variant in order:
                bodies = write_bodies(
                    variant.work / f"round{round_}.jws", list(itertools.islice(pool, per_phase))
                )
                line = await phase(variant, bodies, args.connections, args.seconds)
                print(f"round {round_ + 1}  {line}", flush=True)
    finally:
        for variant in variants:
            variant.process.terminate()
            variant.process.wait(timeout=30)
        shutil.rmtree(base, ignore_errors=True)  # the reports and ledgers: hundreds of MB


def main() -> None:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="+", help="TREE[;NAME=VALUE][;--serve-option value]")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--connections", type=int, default=128, help="requests in flight")
    parser.add_argument(
        "--max-rate", type=int, default=8_000, help="reports per second a phase may use"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
