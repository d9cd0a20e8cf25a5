# ruff: noqa: PLC0415 -- children import only what they measure
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
   fresh SQLite ledger by ``certhub compare run``'s own code (the bulk path: one
   signed message per person, signed in batches, a sample re-verified and
   re-parsed, planned with its 免办 SMS, one transaction per batch) and the rate.

``--ledger-only [--ledger-records 20000 100000] [--database-url URL]``
measures the ledger writes alone: one by one through the inbound path
(before; ``--single-records`` of them, it manages a few hundred a second)
against the bulk path with 0 and 2 signing workers (after), interleaved in
the same run, the median of ``--rounds`` (3) rounds, each in a fresh child
process and ledger; ``cpu_share`` is the cores the child and its signing
workers kept busy on average (the PostgreSQL server's are not counted).
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger_sample import PERIOD, ledger_sample
from scratch_db import add_database_url_option


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
        return _bare(Path(args[0]), Path(args[1]))
    if kind == "typed":
        from certhub.hub.comparison.typed_roster import write_typed_roster

        began = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="bench-typed-") as scratch:
            write_typed_roster(Path(args[0]), Path(args[1]), Path(scratch))
        return {"seconds": time.perf_counter() - began}
    if kind == "run":
        from certhub.hub.comparison.engine import RunOptions, run_comparison

        began = time.perf_counter()
        options = RunOptions(memory_limit=args[3]) if len(args) > 3 else RunOptions()
        typed = Path(args[2]) if args[2] != "-" else None
        run = run_comparison(
            Path(args[0]), Path(args[1]), PERIOD, options=options, typed_roster=typed
        )
        return {"seconds": time.perf_counter() - began, "summary": run.summary}
    if kind == "ledger":
        return _ledger(Path(args[0]), int(args[1]), args[2], int(args[3]), args[4])
    raise SystemExit(f"unknown child {kind}")


def _bare(folder: Path, roster: Path) -> dict[str, Any]:
    """DuckDB joins ``roster`` (the file the run reads: CSV, or Parquet — the typed
    snapshot's ``roster.parquet`` too) with every feed CSV in ``folder`` on the ID
    number and counts the rows; nothing is checked."""
    import duckdb

    feeds = [str(p) for p in sorted(folder.glob("*.csv")) if p.name != "roster.csv"]
    began = time.perf_counter()
    con = duckdb.connect()
    rows = "read_parquet(?)" if roster.suffix == ".parquet" else "read_csv(?, all_varchar = true)"
    count = con.execute(
        f"SELECT count(*) FROM {rows} r"  # noqa: S608 -- our reader's text; paths are parameters
        " JOIN read_csv(?, all_varchar = true, ignore_errors = true, union_by_name = true) f"
        " USING (id_number)",
        [str(roster), feeds],
    ).fetchone()
    return {"seconds": time.perf_counter() - began, "joined": count[0] if count else 0}


def _ledger(runs: Path, limit: int, mode: str, workers: int, url: str) -> dict[str, Any]:
    """Record the run's first ``limit`` certifications into a fresh ledger, ``mode`` ``one``
    (one by one, the inbound path) or ``bulk``; wall and CPU time of the recording."""
    import asyncio
    import resource

    from certhub.hub.cli.compare_ledger import record_run

    run, settings = ledger_sample(runs, limit, url)

    def cpu() -> float:  # this process and its reaped children (the signing workers)
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    cpu_before, began = cpu(), time.perf_counter()
    tally = asyncio.run(
        record_run(settings, run, PERIOD, bulk=mode == "bulk", sign_workers=workers)
    )
    wall, used = time.perf_counter() - began, cpu() - cpu_before
    return {
        "recorded": tally.recorded,
        "seconds": tally.seconds,
        "per_second": tally.per_second,
        "cpu_share": round(used / wall, 2),  # cores busy on average (the database server's not)
    }


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


async def _scratch(server: str | None, count: int) -> list[str]:
    """``count`` fresh databases on ``server`` (``-``: SQLite files instead)."""
    if server is None:
        return ["-"] * count
    from scratch_db import create_scratch

    return [await create_scratch(server) for _ in range(count)]


def _ledger_only(args: argparse.Namespace) -> None:
    """Before (one by one) and after (bulk, per signing-worker count) in the same run,
    each the median of ``--rounds`` rounds, each round in a fresh child and ledger."""
    import asyncio

    from scratch_db import drop_scratch

    largest = max(args.ledger_records)
    pensioners = args.pensioners if args.pensioners_given else int(largest * 2.5)
    with tempfile.TemporaryDirectory(prefix="bench-comparison-ledger-") as tmp:
        data, runs = Path(tmp) / "in", Path(tmp) / "runs"
        _child("generate", str(data), str(pensioners))
        run, _ = _child("run", str(data), str(runs))
        certified = int(run["summary"]["certified"])
        if certified < largest:
            raise SystemExit(f"only {certified} certifications: raise --pensioners")
        plans = [("one", 0, min(n, args.single_records), n) for n in args.ledger_records]
        plans += [("bulk", w, n, n) for n in args.ledger_records for w in args.sign_workers]
        rounds: dict[tuple[str, int, int, int], list[dict[str, Any]]] = {p: [] for p in plans}
        urls = asyncio.run(_scratch(args.database_url, len(plans) * args.rounds))
        try:
            for number in range(args.rounds):  # interleaved: the machine's noise hits all alike
                for index, plan in enumerate(plans):
                    url = urls[number * len(plans) + index]
                    mode, workers, records, _ = plan
                    answer, rss = _child("ledger", str(runs), str(records), mode, str(workers), url)
                    rounds[plan].append(answer | {"peak_rss_mib": round(rss)})
        finally:
            for url in urls if args.database_url else []:
                asyncio.run(drop_scratch(args.database_url, url))
        results = []
        for (mode, workers, records, size), answers in rounds.items():
            results.append({
                "backend": "postgresql" if args.database_url else "sqlite",
                "certifications": size,
                "mode": mode if mode == "one" else f"bulk, {workers} signing workers",
                "recorded_per_round": records,
                "per_second_median": round(_median([a["per_second"] for a in answers])),
                "per_second_rounds": [round(a["per_second"]) for a in answers],
                "cpu_share_median": _median([a["cpu_share"] for a in answers]),
                "peak_rss_mib": max(a["peak_rss_mib"] for a in answers),
            })  # fmt: skip
        print(json.dumps({"pensioners": pensioners, "certified": certified, "results": results},
                         indent=2, ensure_ascii=False))  # fmt: skip


def _generated(folder: Path, pensioners: int) -> tuple[dict[str, Any], float]:
    """Generate into ``folder``, or reuse what an earlier run generated there (same size)."""
    record = folder / "bench-generate.json"
    if record.exists():
        made = json.loads(record.read_text())
        if made["pensioners"] != pensioners:
            raise SystemExit(f"{folder} holds {made['pensioners']} pensioners, not {pensioners}")
        return made, float(made["peak_rss_mib"])
    made, rss = _child("generate", str(folder), str(pensioners))
    made |= {"pensioners": pensioners, "peak_rss_mib": rss, "folder": str(folder)}
    record.write_text(json.dumps(made))
    return made, rss


def _inputs(generated: str, view: Path, roster: str) -> tuple[Path, Path]:
    """A folder of links to the feed CSVs and the roster in ``roster`` format
    (csv/parquet; typed: no roster, the run reads the typed snapshot), and the
    roster file the run reads, which its bare join reads too (:func:`_bare`)."""
    view.mkdir(parents=True)
    for path in Path(generated).glob("*.csv"):
        if path.name != "roster.csv":
            (view / path.name).symlink_to(path)
    if roster == "typed":
        return view, Path(generated) / "typed-roster" / "roster.parquet"
    (view / f"roster.{roster}").symlink_to(Path(generated) / f"roster.{roster}")
    return view, view / f"roster.{roster}"


def main() -> None:
    """Generate, then measure bare join vs full run in alternating rounds, then ledger writes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pensioners", type=int, default=None)
    parser.add_argument(
        "--ledger-records", type=int, nargs="+", default=[20_000], help="0 skips the ledger"
    )
    parser.add_argument("--rounds", type=int, default=None, help="default 2, --ledger-only 3")
    parser.add_argument(
        "--ledger-only",
        action="store_true",
        help="only the ledger writes: one by one (before) against bulk (after), same run",
    )
    parser.add_argument(
        "--single-records",
        type=int,
        default=3_000,
        help="--ledger-only: certifications recorded one by one (a few hundred a second)",
    )
    parser.add_argument(
        "--sign-workers", type=int, nargs="+", default=[0, 2], help="--ledger-only: bulk signers"
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="generate once into DIR and reuse it afterwards"
    )
    parser.add_argument(
        "--roster",
        choices=("csv", "parquet", "typed"),
        nargs="+",
        default=["csv"],
        help="the roster the run reads (typed: the snapshot checked once, as roster import"
        " writes it); several: alternating rounds of each, each against a bare join of the"
        " roster file it reads",
    )
    parser.add_argument("--memory-limit", default=None, help="the run's DuckDB memory limit")
    add_database_url_option(parser, "the --ledger-only writes")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child_main(args.child[0], args.child[1:]), default=str))
        return
    args.pensioners_given = args.pensioners is not None
    if args.ledger_only:
        args.rounds = args.rounds or 3
        _ledger_only(args)
        return
    args.pensioners = args.pensioners or 1_000_000
    args.rounds = args.rounds or 2
    args.ledger_records = args.ledger_records[0]
    with tempfile.TemporaryDirectory(prefix="bench-comparison-") as tmp:
        made, gen_rss = _generated(args.data or Path(tmp) / "in", args.pensioners)
        print(json.dumps(_measure(args, made, gen_rss, Path(tmp)), indent=2, ensure_ascii=False))


def _measure(
    args: argparse.Namespace, made: dict[str, Any], gen_rss: float, tmp: Path
) -> dict[str, Any]:
    """Every ``--roster`` way in alternating rounds (bare join, then full run, per way)."""
    runs = tmp / "runs"
    typed = Path(made["folder"]) / "typed-roster"
    checking: dict[str, Any] = {}
    if "typed" in args.roster:  # the roster checked once, as `certhub roster import` does
        answer, rss = _child("typed", str(Path(made["folder"]) / "roster.csv"), str(typed))
        checking = {
            "seconds": round(answer["seconds"], 2),
            "cpu_seconds": round(answer["cpu_seconds"], 2),
            "peak_rss_mib": round(rss),
        }
    ways = {way: _inputs(made["folder"], tmp / f"inputs-{way}", way) for way in args.roster}
    bare: dict[str, list[tuple[dict[str, Any], float]]] = {way: [] for way in ways}
    full: dict[str, list[tuple[dict[str, Any], float]]] = {way: [] for way in ways}
    limit = [args.memory_limit] if args.memory_limit else []
    for _ in range(args.rounds):
        for way, (data, roster) in ways.items():
            bare[way].append(_child("bare", str(data), str(roster)))
            read = str(typed) if way == "typed" else "-"
            full[way].append(_child("run", str(data), str(runs / way), read, *limit))
    ledger, ledger_rss = {"recorded": 0, "per_second": None}, 0.0
    first = args.roster[0]
    if args.ledger_records:  # 0: the engine alone
        ledger, ledger_rss = _child(
            "ledger", str(runs / first), str(args.ledger_records), "bulk", "0", "-"
        )
    result: dict[str, Any] = {
        "pensioners": args.pensioners,
        "feed_rows": made["feed_rows"],
        "generate_seconds": round(made["seconds"], 2),
        "generate_peak_rss_mib": round(gen_rss),
    }
    if checking:
        result["typed_snapshot_written"] = checking
    for way in ways:
        summary = min(full[way], key=lambda r: r[0]["cpu_seconds"])[0]["summary"]
        result[way] = {
            "bare_join_reads": f"roster {ways[way][1].name} + feed CSVs",
            "bare_join_seconds": [round(r[0]["seconds"], 2) for r in bare[way]],
            "bare_join_peak_rss_mib": round(max(r[1] for r in bare[way])),
            "full_run_seconds": [round(r[0]["seconds"], 2) for r in full[way]],
            "full_run_peak_rss_mib": round(max(r[1] for r in full[way])),
            "ratio_full_to_bare": round(
                min(r[0]["seconds"] for r in full[way]) / min(r[0]["seconds"] for r in bare[way]),
                2,
            ),
            "bare_join_cpu_seconds": [round(r[0]["cpu_seconds"], 2) for r in bare[way]],
            "full_run_cpu_seconds": [round(r[0]["cpu_seconds"], 2) for r in full[way]],
            "cpu_ratio_full_to_bare": round(
                min(r[0]["cpu_seconds"] for r in full[way])
                / min(r[0]["cpu_seconds"] for r in bare[way]),
                2,
            ),
            "phases_seconds": summary["durations_seconds"],
            "certified": summary["certified"],
            "exempt_ratio": summary["exempt_ratio"],
        }
    return result | {
        "ledger_records": ledger["recorded"],
        "ledger_per_second": ledger["per_second"],
        "ledger_peak_rss_mib": round(ledger_rss),
    }


if __name__ == "__main__":
    main()
