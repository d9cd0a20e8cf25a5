"""Which recorded runs' voids a run reads (hub/comparison/later_voids.py), on files alone."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from certhub.hub.comparison.later_voids import load_later_voids


def _run(runs: Path, run_id: str, rows: list[dict[str, object]], *, recorded: bool) -> None:
    """A run's summary (with the ledger's tally when ``recorded``) and its reversals."""
    summary: dict[str, object] = {"run_id": run_id}
    if recorded:
        summary["ledger"] = {"reversals": {"no_task": len(rows)}}
    (runs / f"{run_id}.json").write_text(json.dumps(summary), encoding="utf-8")
    (runs / run_id).mkdir()
    lines = "".join(json.dumps(row) + "\n" for row in rows)
    (runs / run_id / "reversals.json").write_text(lines, encoding="utf-8")


def _void(record: str, run: str | None = None) -> dict[str, object]:
    return {"id_number": "1", "department": "civil_affairs", "voided_record_id": record,
            "void_record_id": "V" + record, "void_date": "2026-10-02", "void_run": run}  # fmt: skip


def test_only_the_own_voids_of_recorded_runs_of_the_period_or_later(tmp_path: Path) -> None:
    runs = tmp_path / "comparison-runs"
    runs.mkdir()
    _run(runs, "2026-08-all", [_void("A")], recorded=True)  # earlier: not read
    _run(runs, "2026-09-all", [_void("B")], recorded=True)  # the period itself
    _run(runs, "2026-10-4401", [_void("C"), _void("D", "2026-11-all")], recorded=True)
    _run(runs, "2026-11-all", [_void("E")], recorded=False)  # compared, never recorded
    _run(runs, "2026-12-all", [], recorded=True)
    (runs / "2026-09-all.whole-files.json").write_text("{}", encoding="utf-8")  # not a run
    (runs / "2027-01-all.json").write_text('{"ledger": {}}', encoding="utf-8")  # no folder
    con = duckdb.connect()
    assert load_later_voids(con, runs, "2026-09") == 2
    assert con.execute(
        "SELECT voided_record_id, void_period, void_run FROM later_voids ORDER BY 1"
    ).fetchall() == [("B", "2026-09", "2026-09-all"), ("C", "2026-10", "2026-10-4401")]
    assert load_later_voids(con, tmp_path / "none", "2026-09") == 0  # no runs folder yet
