"""The roster checked once at import (a typed snapshot) gives a run the CSV path's outputs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from certhub.hub.cli.main import main
from certhub.hub.comparison.catalogue import FEED_COLUMNS
from certhub.hub.comparison.engine import CITIES, ComparisonRun, RunOptions, run_comparison
from certhub.hub.comparison.jobs import ComparisonJobs, JobPolicy, LocalPartitionQueue
from certhub.hub.comparison.loading import ComparisonInputError
from certhub.hub.comparison.partitions import PartitionJob, compare_partition
from certhub.hub.comparison.typed_roster import (
    partition_roster,
    snapshot_source,
    write_typed_roster,
)
from certhub.hub.core.settings import Settings
from certhub.hub.store import open_ledger
from certhub.schemas.resident_id import check_character

from .conftest import OPTIONS, PERIOD, TODAY
from .test_partition_jobs import SAME


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


async def _by_city(
    data: Path, inputs: Path, roster: Path | None
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A run split by city in this process, its cities compared as a worker does (the job
    sent as bytes), not recorded: the run's summary and each city's outputs."""
    ledger = await open_ledger(Settings(data_dir=data))
    queue = LocalPartitionQueue(parallel=2)
    options = RunOptions(OPTIONS.memory_limit, threads=1)

    async def work(job: PartitionJob) -> None:
        sent = PartitionJob.from_bytes(job.to_bytes())
        await asyncio.to_thread(compare_partition, sent, data, options)

    runs_dir = data / "comparison-runs"
    jobs = ComparisonJobs(ledger, queue, work, runs_dir, JobPolicy(poll_seconds=0.05))
    try:
        await queue.start(jobs.handle)
        run = await jobs.submit(inputs, PERIOD, as_of=TODAY, roster=roster)
        summary = await asyncio.wait_for(jobs.wait(run), 300)
    finally:
        await queue.aclose()
        await ledger.aclose()
    cities = {
        city: _outputs(ComparisonRun(city, runs_dir / f"{PERIOD}-{city}", dict(
            json.loads((runs_dir / f"{PERIOD}-{city}.json").read_text()),
            durations_seconds=None)))
        for city in CITIES
    }  # fmt: skip
    summary.pop("durations_seconds")
    return summary, cities


async def test_a_run_by_city_reads_the_months_snapshot_alike(
    generated: Path, province_run: ComparisonRun, tmp_path: Path
) -> None:
    inputs = _as_read(generated, tmp_path / "in")
    feeds_only = _as_read(generated, tmp_path / "feeds")
    (feeds_only / "roster.csv").unlink()  # only the snapshot has a roster: every city reads it
    data = tmp_path / "data"
    typed = data / "roster" / "snapshots" / f"{PERIOD}.checked"
    assert write_typed_roster(inputs / "roster.csv", typed, tmp_path)

    from_typed, typed_cities = await _by_city(data, feeds_only, typed)
    csv, csv_cities = await _by_city(tmp_path / "csv-data", inputs, None)
    assert from_typed["state"] == csv["state"] == "completed"
    assert typed_cities == csv_cities
    assert from_typed == csv
    # and the truth-checked run's counts (a city cannot tell what matches nobody)
    assert {k: from_typed[k] for k in SAME} == {k: province_run.summary[k] for k in SAME}


def test_a_worker_without_the_snapshot_reads_the_same_file_or_fails(
    generated: Path, tmp_path: Path
) -> None:
    inputs = _as_read(generated, tmp_path / "in")
    typed = tmp_path / "elsewhere" / f"{PERIOD}.checked"  # the submitter's, not this machine's
    assert write_typed_roster(inputs / "roster.csv", typed, tmp_path)
    sha256 = snapshot_source(typed)
    assert sha256 is not None
    job = PartitionJob(f"{PERIOD}-all", PERIOD, "4453", inputs, TODAY, typed, sha256)
    read = _outputs(compare_partition(job, tmp_path / "here", OPTIONS))
    gone = typed.rename(tmp_path / "moved")
    # in this worker's own data folder: read there
    assert partition_roster(typed, sha256, inputs, gone) == gone
    # nowhere here: the input folder's roster, the very file it was checked from
    assert _outputs(compare_partition(job, tmp_path / "worker", OPTIONS)) == read
    # another file: the partition fails, saying why, rather than count another roster
    lines = (inputs / "roster.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (inputs / "roster.csv").unlink()
    (inputs / "roster.csv").write_text("".join(lines[:-1]), encoding="utf-8")
    with pytest.raises(ComparisonInputError, match="not on this machine"):
        compare_partition(job, tmp_path / "worker", OPTIONS)


def test_compare_run_by_city_reads_the_months_checked_roster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs, data = tmp_path / "in", tmp_path / "data"
    inputs.mkdir()
    _dirty_roster(tmp_path, "gbk")
    typed = data / "roster" / "snapshots" / f"{PERIOD}.checked"
    assert write_typed_roster(tmp_path / "roster.csv", typed, tmp_path)
    feed = "".join(f"M{i},{n},某人,,,medical_visit,2026-10-05,\n" for i, n in enumerate([BOB]))
    (inputs / "health.csv").write_text(",".join(FEED_COLUMNS) + "\n" + feed, encoding="utf-8")
    argv = ["compare", "run", "--period", PERIOD, "--input", str(inputs), "--data", str(data),
            "--by-city"]  # fmt: skip
    assert main(argv) == 0  # no roster.csv in the input folder: every city read the snapshot
    assert f"roster: {typed.resolve()} (checked at import)" in capsys.readouterr().err
    summary = json.loads((data / "comparison-runs" / f"{PERIOD}-all.json").read_text())
    assert summary["state"] == "completed"
    refused = summary["refused"]["roster"]
    assert {r: e["count"] for r, e in refused.items()} == {
        "duplicate-row": 2,  # ALICE's two rows; TWICE's two are in two cities
        "invalid-county": 1,
        "invalid-id": 2,
        "missing-columns": 1,
        "missing-name": 1,
    }
    assert summary["roster"] == 4  # BOB, CAROL and TWICE in each of its cities
    assert summary["certified"] == 1
