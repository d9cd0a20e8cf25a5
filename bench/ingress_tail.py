"""Where the hub's paced latency goes: one hub, an open loop, a probe inside the hub.

    .venv/bin/python bench/ingress_tail.py --rate 1040 [--seconds 10] [--bare]

``bench/ingress.py`` says how long the hub's paced requests take; this says
where the time went. The hub starts with ``bench/tail_probe`` on its
``PYTHONPATH`` (see that module: group commits, the commit thread's calls
with its CPU and run-queue wait, presign waits, checkpoints, helper round
trips, loop stalls), then an open loop sends at ``--rate`` (latency from
each request's scheduled time, as in ``bench/load.py``) and records when
each request was really sent. It prints the client's view, the hub's
pieces, each group commit's cycle by part and the longest loop stalls,
with the load average and CPU pressure before and after. ``--bare`` runs
the bare handler (×2) after the hub at the same rate, for the floor.

On a shared machine most of a tail is waiting for a CPU (see
``bench/README.md``); to favour the run, start it in a session of its own
whose autogroup nice is lowered (root):

    setsid -w sh -c 'echo -10 > /proc/self/autogroup; exec .venv/bin/python bench/ingress_tail.py'
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import collections
import itertools
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "support")]

from ingress_servers import (
    free_port,
    hub_environment,
    sender_trusted_by,
    settled_processes,
    sign_tokens,
    start,
    start_bare,
)
from load import wait_ready
from paced import Sent, open_loop


def ms(values: list[float], q: float) -> float:
    """The q-quantile of ``values`` (seconds) in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def line(name: str, values: list[float]) -> None:
    """One row: count, p50, p90, p99, max in milliseconds."""
    top = max(values) * 1000 if values else float("nan")
    print(
        f"  {name:34} n={len(values):6d} p50 {ms(values, 0.5):7.2f} p90 {ms(values, 0.9):7.2f}"
        f" p99 {ms(values, 0.99):7.2f} max {top:7.1f} ms"
    )


def client_view(name: str, sent: list[Sent]) -> None:
    """The generator's figures: latency from schedule, its own delay in sending."""
    print(f"{name}: {sum(s[3] for s in sent)} of {len(sent)} accepted")
    line("latency from the scheduled time", [done - due for due, _, done, _ in sent])
    line("generator's delay before sending", [out - due for due, out, _, _ in sent])


def hub_view(rows: dict[str, list[list[Any]]], begin: float, end: float) -> None:
    """The probe's rows inside the measured window."""

    def within(t: float) -> bool:
        return begin <= t <= end

    for kind, label in (
        ("request", "hub: handler start to answer"),
        ("write", "hub: ledger write, queued to durable"),
        ("helper", "hub: signature helper round trip"),
        ("presign_wait", "hub: presign wait of a batch"),
    ):
        line(label, [e - s for s, e in rows[kind] if within(s)])
    batches = [(s, e, n) for s, e, n in rows["batch"] if within(s)]
    line("hub: group commit cycle", [e - s for s, e, _ in batches])
    sizes = sorted(n for *_, n in batches) or [0]
    print(f"  batches {len(batches) / (end - begin):.0f}/s, size p50 {sizes[len(sizes) // 2]}")
    calls = [r for r in rows["commit_thread"] if within(r[1])]
    for what in sorted({r[0] for r in calls}):
        mine = [r for r in calls if r[0] == what]
        line(f"commit thread {what}: until it started", [r[2] - r[1] for r in mine])
        line(f"commit thread {what}: the call", [r[3] - r[2] for r in mine])
        line(f"commit thread {what}: its CPU", [r[4] for r in mine])
        line(f"commit thread {what}: waiting for a CPU", [r[5] for r in mine])
    line("passive checkpoints", [e - s for mode, s, e in rows["checkpoint"] if within(s)])
    cycle_parts(rows, batches, [r for r in calls if r[0] == "COMMIT"])
    stalls = [r for r in rows["stall"] if within(r[0])]
    print(
        f"  loop stalls over 10 ms: {len(stalls)}, {sum(r[1] for r in stalls):.2f} s in all;"
        f" the loop thread ran {sum(r[2] for r in stalls):.2f} s and waited for a CPU"
        f" {sum(r[3] for r in stalls):.2f} s during them"
    )
    for posted, lag, ran, waited in sorted(stalls, key=lambda r: -r[1])[:5]:
        print(
            f"    at +{posted - begin:.2f} s: {lag * 1000:.0f} ms,"
            f" ran {ran * 1000:.0f}, waited {waited * 1000:.0f}"
        )


def cycle_parts(
    rows: dict[str, list[list[Any]]], batches: list[tuple[float, float, int]], commits: list[Any]
) -> None:
    """Each group commit's cycle by part: presign wait, statements, the commit thread."""
    waits = sorted((s, e) for s, e in rows["presign_wait"])
    wait_starts = [s for s, _ in waits]
    commits = sorted(commits, key=lambda r: r[3])
    commit_ends = [r[3] for r in commits]
    parts: dict[str, list[float]] = collections.defaultdict(list)
    for opened, end, _size in batches:
        i = bisect.bisect_left(wait_starts, opened - 1e-6)
        j = bisect.bisect_right(commit_ends, end) - 1
        if i >= len(waits) or waits[i][0] > opened + 0.001 or j < 0 or commits[j][1] < opened:
            continue
        presigned = waits[i][1]
        _, submitted, started, ended, *_ = commits[j]
        parts["presign wait"].append(presigned - opened)
        parts["statements (and a WAL reset)"].append(submitted - presigned)
        parts["commit thread's start"].append(started - submitted)
        parts["COMMIT"].append(ended - started)
        parts["hand-back to the loop"].append(end - ended)
    total = sum(e - s for s, e, _ in batches) or 1.0
    print("  group commit cycle by part (p50, p90, share of all cycles' time):")
    for name, values in parts.items():
        print(
            f"    {name:30} {ms(values, 0.5):6.2f} {ms(values, 0.9):6.2f} ms"
            f" {sum(values) / total:6.1%}"
        )


def machine() -> str:
    """Load average and CPU pressure now."""
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    try:
        pressure = Path("/proc/pressure/cpu").read_text().split("\n")[0].split()[1]
    except OSError:
        pressure = "avg10=?"
    return f"load {load}, CPU pressure some {pressure}"


def read_rows(path: Path) -> dict[str, list[list[Any]]]:
    """The probe's rows by kind."""
    rows: dict[str, list[list[Any]]] = collections.defaultdict(list)
    if path.exists():
        for text in path.read_text(encoding="utf-8").splitlines():
            kind, *values = json.loads(text)
            rows[kind].append(values)
    return rows


async def run(args: argparse.Namespace) -> None:
    """Start the probed hub, warm it, measure, and print; then the bare handler if asked."""
    work = Path(tempfile.mkdtemp(prefix="certhub-tail-"))
    key_path, jwk_path = sender_trusted_by(work)
    tokens = sign_tokens(key_path, int(args.rate * (args.seconds + args.warmup)) + 100)
    pool = iter(tokens)
    probe = work / "probe.jsonl"
    env = hub_environment(work)
    env["CERTHUB_TAIL_PROBE"] = str(probe)
    env["PYTHONPATH"] = str(ROOT / "bench" / "tail_probe")
    port = free_port()
    serve = [sys.executable, "-m", "certhub.hub.cli.main", "serve", "--port", str(port)]
    servers = [start(serve, env, work / "hub.log")]
    try:
        await wait_ready(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 60)
        await settled_processes(servers[0].pid, at_least=2)
        url = f"http://127.0.0.1:{port}/v1/reports"
        await open_loop(url, pool, args.rate, args.warmup)
        print(f"{args.rate:.0f} req/s for {args.seconds:.0f} s; before: {machine()}")
        sent = await open_loop(url, pool, args.rate, args.seconds)
        await asyncio.sleep(1.5)  # the probe writes its rows once a second
        client_view("hub", sent)
        hub_view(read_rows(probe), sent[0][0], max(s[2] for s in sent))
        if args.bare:
            bare_port = free_port()
            servers += start_bare(bare_port, jwk_path, 2, env)
            await wait_ready(f"http://127.0.0.1:{bare_port}/", time.monotonic() + 30)
            cycled = itertools.cycle(tokens[:5000])
            bare_url = f"http://127.0.0.1:{bare_port}/v1/reports"
            await open_loop(bare_url, cycled, args.rate, args.warmup)
            client_view("bare", await open_loop(bare_url, cycled, args.rate, args.seconds))
        print(f"after: {machine()}")
    finally:
        for process in servers:
            process.terminate()
            process.wait(timeout=30)
    shutil.rmtree(work, ignore_errors=True)  # a failed run keeps it (hub.log, probe.jsonl)


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=1000.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--bare", action="store_true", help="then the bare handler, same rate")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
