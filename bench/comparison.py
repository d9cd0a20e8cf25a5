# ruff: noqa: PLC0415, S608 -- children import only what they measure; SQL over our own temp files
"""Comparison benchmark: a full monthly run against a bare DuckDB join of the same files.

    .venv/bin/python bench/comparison.py [--pensioners 1000000 --ledger-records 20000 --rounds 2]

1. ``certhub compare generate`` writes a roster of ``--pensioners`` and its feeds
   (about 0.8 feed rows per pensioner, mixed kinds, dirty rows included).
2. In alternating rounds, each in a fresh child process whose peak RSS
   (``ru_maxrss`` from ``wait4``) is read: the *bare join* — DuckDB reads the
   roster CSV and every feed CSV and counts the rows joined on the ID number
   (``ignore_errors``: it refuses nothing by name) — and the *full run*
   (:func:`certhub.hub.comparison.engine.run_comparison`: load, every rule, outputs,
   summary), both from CSV. The best round of each is reported and their ratio.
3. The first ``--ledger-records`` certifications of the run are recorded in a
   fresh SQLite ledger through the inbound path (``certhub compare run``'s own
   code: one signed message per person, verified on a signature-helper process,
   validated, planned with its 免办 SMS, group-committed) and the rate reported.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PERIOD = "2026-10"


def _child(kind: str, *args: str) -> tuple[dict[str, Any], float]:
    """Run this file as ``--child kind args``; its JSON answer and its peak RSS in MiB.

    The answer gains ``cpu_seconds`` (user + system time of the child, all its
    threads): on a shared machine CPU time is inflated far less than wall time.
    """
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", kind, *args], stdout=subprocess.PIPE, text=True
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"child {kind} failed ({proc.returncode})")
    answer: dict[str, Any] = json.loads(out)
    answer["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return answer, usage.ru_maxrss / 1024


def _child_main(kind: str, args: list[str]) -> dict[str, Any]:
    if kind == "generate":
        from certhub.hub.comparison.generate import generate

        began = time.perf_counter()
        made = generate(Path(args[0]), int(args[1]), period=PERIOD, seed=7)
        return {"seconds": time.perf_counter() - began, "feed_rows": sum(made.feed_rows.values())}
    if kind == "bare":
        return _bare(Path(args[0]))
    if kind == "run":
        from certhub.hub.comparison.engine import RunOptions, run_comparison

        began = time.perf_counter()
        run = run_comparison(Path(args[0]), Path(args[1]), PERIOD, options=RunOptions())
        return {"seconds": time.perf_counter() - began, "summary": run.summary}
    if kind == "ledger":
        return _ledger(Path(args[0]), int(args[1]))
    raise SystemExit(f"unknown child {kind}")


def _bare(folder: Path) -> dict[str, Any]:
    import duckdb

    feeds = [str(p) for p in sorted(folder.glob("*.csv")) if p.name != "roster.csv"]
    began = time.perf_counter()
    con = duckdb.connect()
    count = con.execute(
        "SELECT count(*) FROM read_csv(?, all_varchar = true) r"
        " JOIN read_csv(?, all_varchar = true, ignore_errors = true, union_by_name = true) f"
        " USING (id_number)",
        [str(folder / "roster.csv"), feeds],
    ).fetchone()
    return {"seconds": time.perf_counter() - began, "joined": count[0] if count else 0}


def _ledger(runs: Path, limit: int) -> dict[str, Any]:
    import asyncio

    import duckdb

    from certhub.hub.cli.compare_ledger import record_run
    from certhub.hub.comparison.engine import ComparisonRun
    from certhub.hub.core.settings import Settings

    sample = runs / "ledger-sample" / f"{PERIOD}-all"
    sample.mkdir(parents=True)
    source = runs / f"{PERIOD}-all" / "certifications.parquet"
    duckdb.execute(
        f"COPY (SELECT * FROM '{source}' LIMIT {limit}) TO '{sample}/certifications.parquet'"
    )
    run = ComparisonRun(f"{PERIOD}-all", sample, {"certified": limit})
    settings = Settings(
        data_dir=runs / "ledger-data",
        role="ingress",
        signature_helper=False,
        ministry_pull_seconds=0,
        metrics_port=None,
    )
    tally = asyncio.run(record_run(settings, run, PERIOD))
    return {"recorded": tally.recorded, "seconds": tally.seconds, "per_second": tally.per_second}


def main() -> None:
    """Generate, then measure bare join vs full run in alternating rounds, then ledger writes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pensioners", type=int, default=1_000_000)
    parser.add_argument("--ledger-records", type=int, default=20_000, help="0 skips the ledger")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child_main(args.child[0], args.child[1:]), default=str))
        return
    with tempfile.TemporaryDirectory(prefix="bench-comparison-") as tmp:
        data, runs = Path(tmp) / "in", Path(tmp) / "runs"
        made, gen_rss = _child("generate", str(data), str(args.pensioners))
        (data / "roster.parquet").unlink()  # the runs below read CSV, as the bare join does
        bare, full = [], []
        for _ in range(args.rounds):
            bare.append(_child("bare", str(data)))
            full.append(_child("run", str(data), str(runs)))
        best_bare = min(bare, key=lambda r: r[0]["seconds"])
        best_full = min(full, key=lambda r: r[0]["seconds"])
        ledger, ledger_rss = {"recorded": 0, "per_second": None}, 0.0
        if args.ledger_records:  # 0: the engine alone
            ledger, ledger_rss = _child("ledger", str(runs), str(args.ledger_records))
        summary = best_full[0]["summary"]
        result = {
            "pensioners": args.pensioners,
            "feed_rows": made["feed_rows"],
            "generate_seconds": round(made["seconds"], 2),
            "generate_peak_rss_mib": round(gen_rss),
            "bare_join_seconds": [round(r[0]["seconds"], 2) for r in bare],
            "bare_join_peak_rss_mib": round(best_bare[1]),
            "full_run_seconds": [round(r[0]["seconds"], 2) for r in full],
            "full_run_peak_rss_mib": round(max(r[1] for r in full)),
            "ratio_full_to_bare": round(best_full[0]["seconds"] / best_bare[0]["seconds"], 2),
            "bare_join_cpu_seconds": [round(r[0]["cpu_seconds"], 2) for r in bare],
            "full_run_cpu_seconds": [round(r[0]["cpu_seconds"], 2) for r in full],
            "cpu_ratio_full_to_bare": round(
                min(r[0]["cpu_seconds"] for r in full) / min(r[0]["cpu_seconds"] for r in bare), 2
            ),
            "phases_seconds": summary["durations_seconds"],
            "certified": summary["certified"],
            "exempt_ratio": summary["exempt_ratio"],
            "ledger_records": ledger["recorded"],
            "ledger_per_second": ledger["per_second"],
            "ledger_peak_rss_mib": round(ledger_rss),
        }
        print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
