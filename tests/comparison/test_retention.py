"""Unmatched feed records are purged after the retention period, each purge audited."""

from __future__ import annotations

import csv
import hashlib
import os
import sqlite3
import time
from pathlib import Path

import duckdb
import pytest

from certhub.hub.cli.main import main
from certhub.hub.comparison.catalogue import FEED_COLUMNS
from certhub.hub.comparison.engine import ComparisonRun, run_comparison
from certhub.hub.comparison.retention import expired
from certhub.schemas.resident_id import check_character

from .conftest import OPTIONS, PERIOD

DAY = 86_400


def _id(first17: str) -> str:
    return first17 + check_character(first17)


ON_ROSTER, STRANGER = _id("44010319500101002"), _id("44530219401231011")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder after a run whose health feed names one person not on the roster."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "roster.csv").write_text(
        f"id_number,name,county,village\n{ON_ROSTER},陈大文,440103,\n", encoding="utf-8"
    )
    (inputs / "health.csv").write_text(
        ",".join(FEED_COLUMNS) + "\n"
        f"M1,{ON_ROSTER},陈大文,,,medical_visit,2026-09-10,\n"
        f"M2,{STRANGER},黄小明,,,medical_visit,2026-09-11,\n",
        encoding="utf-8",
    )
    folder = tmp_path / "data"
    argv = ["compare", "run", "--period", "2026-09", "--input", str(inputs), "--data", str(folder)]
    assert main(argv) == 0
    return folder


def _age(path: Path, days: float) -> None:
    then = time.time() - days * DAY
    os.utime(path, (then, then))


def test_a_run_keeps_the_records_that_matched_nobody(data: Path) -> None:
    kept = data / "comparison-runs" / "2026-09-all" / "unmatched.parquet"
    rows = duckdb.sql(f"SELECT department, record_id, id_number FROM '{kept}'").fetchall()
    assert rows == [("health", "M2", STRANGER)]


def test_files_past_retention_are_purged_and_audited_younger_ones_kept(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = data / "comparison-runs" / "2026-09-all"
    unmatched, review = run / "unmatched.parquet", run / "review.json"
    digest = hashlib.sha256(unmatched.read_bytes()).hexdigest()
    _age(unmatched, 90.01)
    _age(review, 89.9)
    assert main(["compare", "purge", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "1 file(s) of unmatched feed records older than 90 days purged" in out
    assert not unmatched.exists()
    assert review.exists()
    assert (run / "certifications.parquet").exists()  # only the unmatched records go
    with sqlite3.connect(data / "ledger.sqlite3") as db:
        entries = db.execute(
            "SELECT subject, actor, digest FROM audit WHERE action = 'comparison_unmatched_purged'"
        ).fetchall()
    assert entries == [("2026-09-all/unmatched.parquet", "hub", digest)]
    assert main(["compare", "purge", "--data", str(data)]) == 0  # nothing more to purge
    with sqlite3.connect(data / "ledger.sqlite3") as db:
        count = db.execute("SELECT count(*) FROM audit WHERE action LIKE 'comparison_%'")
        assert count.fetchone() == (1,)


def test_the_retention_period_is_a_setting(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    review = data / "comparison-runs" / "2026-09-all" / "review.json"
    _age(review, 31)
    monkeypatch.setenv("CERTHUB_COMPARISON_UNMATCHED_RETENTION_DAYS", "30")
    assert main(["compare", "purge", "--data", str(data)]) == 0
    assert "older than 30 days" in capsys.readouterr().out
    assert not review.exists()


def test_the_boundary_and_a_bad_period(tmp_path: Path) -> None:
    run = tmp_path / "2026-09-all"
    run.mkdir()
    (run / "unmatched.parquet").write_bytes(b"x")
    now = time.time()
    _age(run / "unmatched.parquet", 10)
    assert [e.subject for e in expired(tmp_path, 10, now + 1)] == ["2026-09-all/unmatched.parquet"]
    assert list(expired(tmp_path, 10, now - 1)) == []
    with pytest.raises(ValueError, match="at least one day"):
        list(expired(tmp_path, 0, now))


def test_the_kept_records_are_the_truths_unmatched_and_a_city_run_keeps_none(
    province_run: ComparisonRun, generated: Path, tmp_path: Path
) -> None:
    with (generated / "truth" / "unmatched.csv").open(encoding="utf-8") as stream:
        truth = {r["department"]: int(r["n"]) for r in csv.DictReader(stream)}
    kept = province_run.folder / "unmatched.parquet"
    counted = duckdb.sql(f"SELECT department, count(*) FROM '{kept}' GROUP BY ALL").fetchall()
    assert dict(counted) == truth
    city = run_comparison(generated, tmp_path, PERIOD, city="4453", options=OPTIONS)
    assert not (city.folder / "unmatched.parquet").exists()
