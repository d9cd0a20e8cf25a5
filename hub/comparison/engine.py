"""One comparison run for a period (and optionally one city): load, apply the rules, summarise.

The run opens its own in-memory DuckDB with a memory limit (spilling to a
scratch folder beyond it), so its footprint is bounded whatever the roster
size. Outputs are written beside the summary: ``proposals.json``,
``reversals.json`` and ``review.json`` (newline-delimited JSON, one object per
line, each with its rule id and sources), ``unmatched.parquet`` (province-wide
runs; purged after the retention period, :mod:`.retention`) and
``certifications.parquet``; :mod:`certhub.hub.cli.compare_ledger` streams
them into the ledger in batches. A run's id is ``<period>-<city or all>``:
re-running it rewrites the same files with the same content. The voids of the runs
recorded for the period or a later one (their ``reversals.json``) withdraw this run's
records too (:mod:`.later_voids`).
"""

from __future__ import annotations

import calendar
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from certhub.hub.comparison.later_voids import load_later_voids
from certhub.hub.comparison.loading import load_feeds, load_roster
from certhub.hub.comparison.rules import RULES, RunWindow, certifications_sql
from certhub.hub.comparison.sqlfuncs import install_macros, sql_path
from certhub.hub.comparison.summary import summarise
from certhub.hub.comparison.typed_roster import load_typed_roster
from certhub.schemas.clock import shanghai_today
from certhub.security import replace_atomic

__all__ = ["ComparisonRun", "RunOptions", "parse_period", "run_comparison"]

CITIES = tuple(f"44{n:02d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18))
CITIES += ("4419", "4420", "4451", "4452", "4453")
"""The 21 prefecture-level cities' 4-digit prefixes (partitions of a run)."""


def parse_period(period: str) -> tuple[date, date]:
    """First and last day of ``YYYY-MM``.

    Raises:
        ValueError: if ``period`` is not a month written ``YYYY-MM``.
    """
    if len(period) != 7 or period[4] != "-" or not (period[:4] + period[5:]).isdigit():
        raise ValueError(f"period must be YYYY-MM, not {period!r}")
    year, month = int(period[:4]), int(period[5:])
    if not 1 <= month <= 12:
        raise ValueError(f"period must be YYYY-MM, not {period!r}")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class RunOptions:
    """How a run is bounded: memory limit, threads, and the day treated as today."""

    memory_limit: str = "1GB"
    threads: int = max(1, min(4, os.cpu_count() or 1))
    today: date | None = None


@dataclass
class ComparisonRun:
    """A finished run: where its outputs are and its summary."""

    run_id: str
    folder: Path
    summary: dict[str, Any]
    durations: dict[str, float] = field(default_factory=dict)

    @property
    def certifications(self) -> Path:
        """The certifications to record (Parquet, one row per person)."""
        return self.folder / "certifications.parquet"


def run_comparison(
    inputs: Path,
    runs_dir: Path,
    period: str,
    *,
    city: str | None = None,
    options: RunOptions | None = None,
    on_step: Callable[[str, int, int], None] | None = None,
    typed_roster: Path | None = None,
) -> ComparisonRun:
    """Compare ``inputs`` (roster + feeds) for ``period``; write outputs under ``runs_dir``.

    With ``typed_roster`` (a typed snapshot folder, :mod:`.typed_roster`) the
    roster is read from it and ``inputs``' roster is not read at all.

    Raises:
        ComparisonInputError: the roster is missing or lacks a column (nothing is written).
        ValueError: a malformed period or city.
    """
    options = options or RunOptions()
    start, end = parse_period(period)
    if city is not None and city not in CITIES:
        raise ValueError(f"city must be one of the 21 prefixes 4401..4453, not {city!r}")
    today = options.today or shanghai_today()
    window = RunWindow(start, min(end, today), city, today)
    run_id = f"{period}-{city or 'all'}"
    folder = runs_dir / run_id
    durations: dict[str, float] = {}
    steps = 2 + len(RULES) + 1
    with tempfile.TemporaryDirectory(prefix="certhub-compare-") as scratch:
        con = duckdb.connect(
            config={
                "memory_limit": options.memory_limit,
                "threads": options.threads,
                "temp_directory": str(Path(scratch) / "spill"),
            }
        )
        try:
            con.execute("SET enable_progress_bar = false")  # ours is the one on the terminal
            install_macros(con)
            timed = _Timer(durations, on_step, steps)
            notes = timed(
                "load roster",
                lambda: (
                    load_roster(con, inputs, Path(scratch), window)
                    if typed_roster is None
                    else load_typed_roster(con, typed_roster, window)
                ),
            )
            notes += timed("load feeds", lambda: load_feeds(con, inputs, Path(scratch), window))
            load_later_voids(con, runs_dir, period, run_id)  # a few rows: other runs' voids
            for rule in RULES:
                timed(rule.__name__, lambda rule=rule: rule(con, window))  # type: ignore[misc]
            summary = timed(
                "write outputs", lambda: _write(con, folder, run_id, period, window, notes)
            )
        finally:
            con.close()
    summary["durations_seconds"] = {k: round(v, 3) for k, v in durations.items()}
    summary["durations_seconds"]["total"] = round(sum(durations.values()), 3)
    _write_json(runs_dir / f"{run_id}.json", summary)
    return ComparisonRun(run_id, folder, summary, durations)


class _Timer:
    def __init__(
        self, durations: dict[str, float], on_step: Callable[[str, int, int], None] | None, n: int
    ) -> None:
        self._durations, self._on_step, self._n = durations, on_step, n

    def __call__(self, name: str, work: Callable[[], Any]) -> Any:
        began = time.perf_counter()
        result = work()
        self._durations[name] = time.perf_counter() - began
        if self._on_step is not None:
            self._on_step(name, len(self._durations), self._n)
        return result


def _write(  # noqa: PLR0917 -- one private call site, every argument named there
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    run_id: str,
    period: str,
    window: RunWindow,
    notes: list[Any],
) -> dict[str, Any]:
    """Outputs into a fresh folder, swapped in whole (a re-run never leaves a mix)."""
    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, mode=0o700)
    # Every rule has made its tables: the checked feeds (the run's largest table, 0.8 GB
    # at 10 million pensioners) are read by no output, only counted, and the unmatched
    # records are written first. Both dropped before the certifications' sorted export,
    # which otherwise shares the memory limit with them and spills.
    counted = con.execute("SELECT count(*) FROM feed_checked").fetchone()
    feed_records = counted[0] if counted else 0
    for view in ("active", "matched", "evidence"):
        con.execute(f"DROP VIEW IF EXISTS {view}")
    con.execute("DROP TABLE feed_checked")
    order = "ORDER BY id_number"
    exports: dict[str, str] = {}
    if window.city is None:  # a city's run cannot tell a record matches nobody in the province
        exports["unmatched.parquet"] = "SELECT * FROM unmatched_records ORDER BY ALL"
    exports |= {
        "proposals.json": f"SELECT * FROM proposals {order}, task_kind",
        "reversals.json": f"SELECT * FROM reversals {order}, voided_record_id",
        # a record may match several people: the candidate orders them (else the join did)
        "review.json": "SELECT * FROM review ORDER BY department, record_id, candidate_id_number",
    }
    for name, query in exports.items():
        fmt = "PARQUET" if name.endswith(".parquet") else "JSON"
        con.execute(f"COPY ({query}) TO {sql_path(staging / name)} (FORMAT {fmt})")
    con.execute("DROP TABLE unmatched_records")
    certified = sql_path(staging / "certifications.parquet")
    # sorted before the sources are cast to text and the city and rule added (a smaller
    # sort). The sort is not what the export costs: at 1 million, of ≈ 1.3-1.5 CPU s, the
    # sources' lists ≈ 0.5, a count of the view's rows ≈ 0.3-0.4, and sorting on the ID
    # number's integer (the same order) instead of its text saved nothing measurable.
    sorted_rows = certifications_sql(f"(SELECT * FROM seen_alive {order})")
    con.execute(f"COPY ({sorted_rows}) TO {certified} (FORMAT PARQUET)")
    # The summary counts the certifications written, not the view's join once more
    # (5 CPU s at 10 million): the file's city column is all it reads.
    con.execute(f"CREATE OR REPLACE VIEW certifications AS FROM read_parquet({certified})")
    summary = summarise(con, run_id, period, window, notes, feed_records=feed_records)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return summary


def _write_json(path: Path, document: dict[str, Any]) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"
    replace_atomic(path, text.encode())
