# ruff: noqa: PLC0415 -- children import the tree they measure
"""The comparison's bulk ledger writes of two code trees, alternating in one session.

    git archive <before-commit> | tar -x -C /tmp/before
    .venv/bin/python bench/ledger_ab.py --before /tmp/before --runs RUNS_DIR
        [--records 20000] [--rounds 3] [--workers 0 1] [--before-workers 0]
        [--database-url postgresql://…]

``RUNS_DIR`` holds a run of ``certhub compare run`` (its ``<period>-all`` folder).
Each round records the run's first ``--records`` certifications with the
*before* tree's code (once per ``--before-workers`` count: signing workers), then
with this tree's (once per ``--workers`` count), each
in a fresh child process and a fresh ledger (SQLite file, or a scratch database
on the ``--database-url`` server). A child reports the wall and CPU time of the
recording phase only (``BulkCertifier.record``: the process's CPU, plus the
signing workers'), so the hub's start-up is not counted: on a shared machine,
records per CPU-second is the figure to compare; the medians are printed, with
the CPU a record of the recording process and of its workers apart (a process
on a core of its own: the larger of the two bounds the rate).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger_sample import PERIOD, ledger_sample
from scratch_db import create_scratch, drop_scratch


def child(tree: str, runs: Path, limit: int, workers: int, url: str) -> dict[str, float]:
    """Record ``limit`` certifications with the code of ``tree``; times of the recording."""
    sys.path.insert(0, tree)
    from certhub.hub.cli.compare_ledger import record_run
    from certhub.hub.comparison import bulk_record

    if not str(bulk_record.__file__).startswith(tree):
        raise SystemExit(f"imported {bulk_record.__file__}, not from {tree}")
    run, settings = ledger_sample(runs, limit, url)
    phase: dict[str, float] = {}
    record = bulk_record.BulkCertifier.record

    async def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return await record(self, *args, **kwargs)
        finally:
            phase["cpu"], phase["wall"] = time.process_time() - cpu, time.perf_counter() - wall

    bulk_record.BulkCertifier.record = timed  # type: ignore[method-assign]
    workers_before = _children_cpu()
    tally = asyncio.run(record_run(settings, run, PERIOD, bulk=True, sign_workers=workers))
    workers_cpu = _children_cpu() - workers_before  # the signing workers, reaped by now
    cpu = phase["cpu"] + workers_cpu
    return {
        "recorded": tally.recorded,
        "per_second": tally.recorded / phase["wall"],
        "per_cpu_second": tally.recorded / cpu,
        "cpu_share": cpu / phase["wall"],
        "recorder_us": phase["cpu"] / tally.recorded * 1e6,  # CPU a record, every thread
        "workers_us": workers_cpu / tally.recorded * 1e6,  # their start included
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Alternate before and after for ``--rounds`` rounds; print each round and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="a folder with the other tree (required)")
    parser.add_argument("--runs", type=Path, help="a compare run's folder (required)")
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[0])
    parser.add_argument("--before-workers", type=int, nargs="+", default=[0])
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server (admin URL)")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tree, runs, limit, workers, url = args.child
        print(json.dumps(child(tree, Path(runs), int(limit), int(workers), url)))
        return
    if not args.before or not args.runs:
        parser.error("--before and --runs are required")
    here = str(Path(__file__).resolve().parent.parent)
    plans = [("before", args.before, w) for w in args.before_workers]
    plans += [("after", here, w) for w in args.workers]
    results: dict[str, list[dict[str, float]]] = {}
    for number in range(args.rounds):
        for label, tree, workers in plans:
            key = f"{label}, {workers} signing workers"
            answer = _one(tree, args, workers)
            results.setdefault(key, []).append(answer)
            print(number + 1, key, {k: round(v, 2) for k, v in answer.items()}, flush=True)
    for key, answers in results.items():
        rates = [round(a["per_second"]) for a in answers]
        per_cpu = [round(a["per_cpu_second"]) for a in answers]
        share = statistics.median(a["cpu_share"] for a in answers)
        recorder = statistics.median(a["recorder_us"] for a in answers)
        workers = statistics.median(a["workers_us"] for a in answers)
        print(
            f"{key}: records/s {statistics.median(rates):.0f} {rates},"
            f" per CPU-s {statistics.median(per_cpu):.0f} {per_cpu}, cpu_share {share:.2f},"
            f" CPU µs a record: recorder {recorder:.1f}, workers {workers:.1f}"
        )


def _one(tree: str, args: argparse.Namespace, workers: int) -> dict[str, float]:
    """One child: a fresh ledger, the recording with ``tree``'s code."""
    server = args.database_url
    url = asyncio.run(create_scratch(server)) if server else "-"
    try:
        command = [sys.executable, __file__, "--child", tree, str(args.runs)]
        command += [str(args.records), str(workers), url]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        if server:
            asyncio.run(drop_scratch(server, url))
    if done.returncode:
        raise SystemExit(f"child failed:\n{done.stderr[-2000:]}")
    answer: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


if __name__ == "__main__":
    main()
