# ruff: noqa: S608 -- DuckDB SQL over our own temp files
"""Roster import benchmark: ``certhub roster import`` of a synthetic roster, against a bare read.

    .venv/bin/python bench/roster_import.py [--rows 1000000] [--csv FILE] [--database-url postgresql://…]

1. DuckDB writes a roster CSV of ``--rows`` pensioners (valid ID numbers of
   real Guangdong counties, 3% suspended, 1 in 1,000 rows with a bad ID number).
2. The *bare read*: DuckDB reads the same CSV and counts its rows (the floor
   any import pays).
3. ``certhub roster import`` (a child process, as an operator runs it) into a
   fresh SQLite ledger (or a scratch PostgreSQL database): check, snapshot,
   roster and register rows in the ledger. Then the same file again (nothing
   changes: the idempotent re-run).

``--csv FILE`` keeps the roster there: generated when missing, reused when
present (10 million rows take a minute to write and 1 GB of disk).

Prints wall-clock and CPU seconds (the import process's user + system time;
on PostgreSQL the server's own CPU is not in it) and the extrapolation to 10
million rows (time grows linearly: every step is a scan, a sort or a batch of
inserts). On a shared machine the CPU seconds are the steadier figure.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from scratch_db import add_database_url_option, create_scratch, drop_scratch

from certhub.hub.comparison.sqlfuncs import install_macros, sql_path

ROOT = Path(__file__).resolve().parent.parent
CERTHUB = str(Path(sys.executable).with_name("certhub"))


def write_roster(path: Path, rows: int) -> None:
    """A roster CSV of ``rows`` people with valid, distinct ID numbers."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    install_macros(con)
    con.execute(
        "CREATE TABLE counties AS SELECT * FROM (VALUES ('440103'), ('440104'), ('440305'),"
        " ('440606'), ('445302'), ('445321')) AS t(code)"
    )
    con.execute(
        f"""COPY (
        WITH base AS (
            SELECT i, (SELECT list(code) FROM counties)[1 + i % 6] AS county,
                strftime(DATE '1930-01-01' + CAST(i % 12000 AS INTEGER), '%Y%m%d') AS born
            FROM range({rows}) AS r(i)
        ), ids AS (
            SELECT i, county, county || born || lpad(CAST(i // 12000 % 1000 AS VARCHAR), 3, '0')
                AS first17 FROM base
        )
        SELECT first17 || CASE WHEN i % 1000 = 999 THEN 'Z'
                ELSE id_check_n(CAST(first17 AS BIGINT)) END AS id_number,
            '张' || chr(19968 + CAST(i % 20000 AS INTEGER)) AS name, county,
            county || lpad(CAST(i % 300 AS VARCHAR), 6, '0') AS village,
            CASE WHEN i % 33 = 0 THEN 'suspended' ELSE 'active' END AS status,
            '183.00' AS monthly_amount, '2026-10' AS paid_through,
            CASE WHEN i % 33 = 0 THEN '2025-06-01' END AS suspended_since,
            '************' || lpad(CAST(i % 10000 AS VARCHAR), 4, '0') AS bank_account_on_file,
            '138' || lpad(CAST(i % 100000000 AS VARCHAR), 8, '0') AS contact_mobile
        FROM ids) TO {sql_path(path)} (HEADER, DELIMITER ',')"""
    )


def bare_read(path: Path) -> float:
    """Seconds DuckDB takes to read the CSV and count its rows."""
    con = duckdb.connect()
    began = time.perf_counter()
    con.execute(f"SELECT count(*) FROM read_csv({sql_path(path)}, all_varchar = true)").fetchall()
    seconds = time.perf_counter() - began
    con.close()
    return seconds


def run_import(path: Path, data: Path, database_url: str | None) -> tuple[float, float, str]:
    """Wall and CPU seconds of one ``certhub roster import``, and its summary line."""
    command = [CERTHUB, "roster", "import", str(path), "--data", str(data), "--as-of", "2026-11-30"]
    if database_url:
        command += ["--database-url", database_url]
    before = _children_cpu()
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode not in (0, 1):
        raise SystemExit(f"import failed: {done.stderr.strip()}")
    return seconds, _children_cpu() - before, done.stdout.splitlines()[0]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Generate, read bare, import twice; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--csv", type=Path, help="the roster CSV: written if missing, else reused")
    add_database_url_option(parser, "the ledger")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="certhub-bench-roster-") as folder:
        root = Path(folder)
        csv = args.csv or root / "roster.csv"
        if not csv.exists():
            began = time.perf_counter()
            write_roster(csv, args.rows)
            print(
                f"generated {args.rows:,} rows in {time.perf_counter() - began:.1f} s"
                f" ({csv.stat().st_size / 2**20:,.0f} MiB)"
            )
        bare = bare_read(csv)
        url = asyncio.run(create_scratch(args.database_url)) if args.database_url else None
        try:
            first, first_cpu, line = run_import(csv, root / "data", url)
            again, again_cpu, _ = run_import(csv, root / "data", url)
        finally:
            if url:
                asyncio.run(drop_scratch(args.database_url, url))
    checked = float(re.search(r"\(([0-9.]+) s checked", line).group(1))  # type: ignore[union-attr]
    backend = "PostgreSQL" if url else "SQLite"
    print(line)
    print(f"bare DuckDB read      {bare:7.2f} s")
    rows = int(line.split(": ", 1)[1].split(" ", 1)[0])  # the rows the import read
    print(
        f"import ({backend}) {first:7.2f} s, {first_cpu:.1f} s CPU ({rows / first:,.0f} rows/s;"
        f" checks + snapshot {checked:.1f} s; {first / bare:.0f}x the bare read)"
    )
    print(f"re-import (no change) {again:7.2f} s, {again_cpu:.1f} s CPU")
    print(f"10M rows, extrapolated: {first * 10_000_000 / rows:,.0f} s (target <= 60 s)")


if __name__ == "__main__":
    main()
