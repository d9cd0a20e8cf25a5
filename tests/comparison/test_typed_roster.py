"""The roster checked once at import (a typed snapshot) gives a run the CSV path's outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from certhub.hub.cli.main import main
from certhub.hub.comparison.catalogue import FEED_COLUMNS
from certhub.hub.comparison.engine import ComparisonRun, run_comparison
from certhub.hub.comparison.typed_roster import write_typed_roster
from certhub.schemas.resident_id import check_character

from .conftest import OPTIONS, PERIOD


def _id(county: str, birth: str, seq: str) -> str:
    return county + birth + seq + check_character(county + birth + seq)


def _as_read(generated: Path, folder: Path) -> Path:
    """The generated feeds and its ``roster.csv`` alone (no Parquet roster to prefer)."""
    folder.mkdir()
    for path in generated.glob("*.csv"):
        (folder / path.name).symlink_to(path)
    return folder


def _outputs(run: ComparisonRun) -> dict[str, Any]:
    """Everything a run wrote: its files (Parquet read as rows) and its summary, no timings."""
    files: dict[str, Any] = {}
    for path in sorted(run.folder.iterdir()):
        if path.suffix == ".parquet":
            files[path.name] = duckdb.execute(f"SELECT * FROM '{path}'").fetchall()
        else:
            files[path.name] = path.read_bytes()
    summary = dict(run.summary)
    summary.pop("durations_seconds")
    return {"files": files, "summary": summary}


def _both(inputs: Path, typed: Path, tmp: Path, city: str | None = None) -> list[dict[str, Any]]:
    runs = [
        run_comparison(inputs, tmp / "csv", PERIOD, city=city, options=OPTIONS),
        run_comparison(inputs, tmp / "typed", PERIOD, city=city, options=OPTIONS,
                       typed_roster=typed),
    ]  # fmt: skip
    return [_outputs(run) for run in runs]


@pytest.mark.parametrize("city", [None, "4453"])
def test_the_typed_snapshot_gives_the_generated_runs_outputs(
    generated: Path, province_run: ComparisonRun, tmp_path: Path, city: str | None
) -> None:
    inputs = _as_read(generated, tmp_path / "in")
    typed = tmp_path / "typed-roster"
    assert write_typed_roster(generated / "roster.csv", typed, tmp_path)
    csv, from_typed = _both(inputs, typed, tmp_path, city)
    assert from_typed == csv
    if city is None:  # and the truth-checked run's (which read roster.parquet)
        assert from_typed == _outputs(province_run)


ALICE = _id("440103", "19500101", "018")  # ends in X: written x, spaced, on the roster
BOB = _id("445302", "19401231", "011")
CAROL = _id("441481", "19600704", "020")
TWICE = _id("440104", "19450303", "033")  # in two cities: a repeat province-wide only
LATE = _id("440105", "20261115", "044")  # born after the period: valid only later


def _dirty_roster(folder: Path, encoding: str) -> None:
    rows = [
        "id_number,name,county,village",
        f" {ALICE.lower()} ,陈大文, 440103 ,440103001001",
        f"{BOB},黄小明,445302,445302002003",
        f"{CAROL},买买提·艾力,441481,",
        f"{ALICE},陈大文,440103,",  # ALICE twice: both refused
        f"{TWICE},李四,440104,",
        f"{TWICE},李四,445302,",
        f"{LATE},王五,440105,",
        f"{BOB[:17]}0,赵六,445302,",  # a wrong check character (BOB's is not 0)
        f"{_id('445302', '19500505', '055')},   ,445302,",
        f"{_id('445302', '19500606', '066')},钱七,4453,",
        f"{_id('445302', '19500707', '077')},孙八,445302",  # a column missing
    ]
    (folder / "roster.csv").write_bytes(("\n".join(rows) + "\n").encode(encoding))


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
@pytest.mark.parametrize("city", [None, "4401", "4453"])
def test_a_dirty_roster_is_refused_alike_on_both_paths(
    tmp_path: Path, encoding: str, city: str | None
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    _dirty_roster(inputs, encoding)
    feed = (
        ",".join(FEED_COLUMNS)
        + "\n"
        + "".join(
            f"M{i},{number},某人,,,medical_visit,2026-10-05,\n"
            for i, number in enumerate([ALICE, BOB, CAROL, TWICE, LATE])
        )
    )
    (inputs / "health.csv").write_text(feed, encoding="utf-8")
    typed = tmp_path / "typed-roster"
    assert write_typed_roster(inputs / "roster.csv", typed, tmp_path)
    csv, from_typed = _both(inputs, typed, tmp_path, city)
    assert from_typed == csv
    refused = csv["summary"]["refused"].get("roster", {})
    if city is None:
        assert {r: e["count"] for r, e in refused.items()} == {
            "duplicate-row": 4,
            "invalid-county": 1,
            "invalid-id": 2,
            "missing-columns": 1,
            "missing-name": 1,
        }
    elif city == "4401":  # TWICE once in the city: on the roster there
        assert csv["summary"]["roster"] == 1


def test_an_import_file_without_a_column_gets_no_snapshot_and_loses_an_old_one(
    tmp_path: Path,
) -> None:
    typed = tmp_path / "typed-roster"
    (tmp_path / "full.csv").write_text(f"id_number,name,county,village\n{BOB},黄小明,445302,\n")
    (tmp_path / "short.csv").write_text(f"id_number,name,county\n{BOB},黄小明,445302\n")
    assert write_typed_roster(tmp_path / "full.csv", typed, tmp_path)
    assert not write_typed_roster(tmp_path / "short.csv", typed, tmp_path)
    assert not typed.exists()


def test_compare_run_reads_the_months_checked_roster(
    generated: Path, province_run: ComparisonRun, tmp_path: Path
) -> None:
    inputs = _as_read(generated, tmp_path / "in")
    (inputs / "roster.csv").unlink()  # only the snapshot has a roster: the run must read it
    data = tmp_path / "data"
    typed = data / "roster" / "snapshots" / f"{PERIOD}.checked"
    assert write_typed_roster(generated / "roster.csv", typed, tmp_path)
    argv = ["compare", "run", "--period", PERIOD, "--input", str(inputs), "--data", str(data),
            "--no-ledger"]  # fmt: skip
    assert main(argv) == 0
    summary = json.loads((data / "comparison-runs" / f"{PERIOD}-all.json").read_text())
    assert summary["roster"] == province_run.summary["roster"] == 20_000
