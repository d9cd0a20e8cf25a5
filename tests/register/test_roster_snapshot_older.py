"""An older roster file imported after a newer one keeps the month's newer snapshot.

238.00 a month. In M(-1) the province's file as of the 20th lists two pensioners, the second
newly enrolled; the file as of the 10th (before the enrolment) is imported after it — a
late job, or the wrong file. The ledger keeps each entry as of the 20th (an entry is
replaced only by a newer ``as_of``), but the month's snapshot, which that month's
comparison reads as its roster, was replaced: before, the snapshot listed 1 person, and
civil affairs' cremation of the second on the 15th of M(-1) matched nobody on it (no death
task): 238.00 a month paid on to a dead pensioner. Now the import keeps the
month's newer snapshot (saying so) and the run opens the death task (1). Imported in the
other order, the newer replaces the older as before. SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from comparisonkit import HEADER
from pgkit import throwaway_database
from procedurekit import today
from registerkit import ROSTER_HEADER, resident_id

from certhub.hub.cli.main import main
from certhub.hub.rules.months import month_index, month_label


def _month() -> str:
    return month_label(month_index(today()) - 1)


def _newer() -> str:
    return f"{_month()}-20T09:00:00+08:00"


def _older() -> str:
    return f"{_month()}-10T09:00:00+08:00"


ENROLLED = resident_id(2)


def _line(n: int) -> str:
    return f"{resident_id(n)},张三,440103,440103001001,active,238.00,{_month()},,************1234,"


def _import(tmp: Path, data: list[str], name: str, numbers: list[int], as_of: str) -> int:
    path = tmp / name
    path.write_text("\n".join([ROSTER_HEADER, *map(_line, numbers)]) + "\n", encoding="utf-8")
    return main(["roster", "import", str(path), *data, "--as-of", as_of])


def _snapshot_people(data_dir: Path) -> int:
    import duckdb

    checked = data_dir / "roster" / "snapshots" / f"{_month()}.checked" / "roster.parquet"
    parquet = data_dir / "roster" / "snapshots" / f"{_month()}.parquet"
    ((typed,),) = duckdb.execute(f"SELECT count(*) FROM '{checked}'").fetchall()  # noqa: S608
    ((plain,),) = duckdb.execute(f"SELECT count(*) FROM '{parquet}'").fetchall()  # noqa: S608
    assert typed == plain
    return int(typed)


def _compared(tmp: Path, data: list[str], data_dir: Path) -> dict[str, object]:
    """Civil affairs' cremation of the enrolled pensioner on the 15th, compared for MONTH."""
    feeds = tmp / "feeds"
    feeds.mkdir()
    cremated = f"C1,{ENROLLED},张三,,,cremation,{_month()}-15,\n"
    (feeds / "civil_affairs.csv").write_text(HEADER + cremated, encoding="utf-8")
    (feeds / "roster.csv").write_text("id_number,name,county,village\n", encoding="utf-8")
    argv = ["compare", "run", "--period", _month(), "--input", str(feeds), *data]
    assert main(argv) == 0
    summary: dict[str, object] = json.loads(
        (data_dir / "comparison-runs" / f"{_month()}-all.json").read_text(encoding="utf-8")
    )
    return summary


def _case(tmp: Path, url: str | None, order: tuple[str, str]) -> tuple[int, dict[str, object]]:
    data_dir = tmp / "data"
    data = ["--data", str(data_dir), *(["--database-url", url] if url else [])]
    files = {_newer(): ("newer.csv", [1, 2]), _older(): ("older.csv", [1])}
    for as_of in order:
        name, numbers = files[as_of]
        assert _import(tmp, data, name, numbers, as_of) == 0
    return _snapshot_people(data_dir), _compared(tmp, data, data_dir)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_older_file_imported_later_keeps_the_newer_snapshot(
    tmp_path: Path, backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def check(url: str | None) -> None:
        people, summary = _case(tmp_path, url, (_newer(), _older()))
        ledger = summary["ledger"]
        assert isinstance(ledger, dict)
        assert (people, ledger["reports"]) == (2, {"task_opened": 1}), summary
        assert "is newer than this file's" in capsys.readouterr().err

    if backend == "sqlite":
        check(None)
        return
    with throwaway_database("certhub_snapshot_older") as url:
        check(url)


def test_a_newer_file_imported_later_replaces_the_snapshot(tmp_path: Path) -> None:
    people, summary = _case(tmp_path, None, (_older(), _newer()))
    assert people == 2
    ledger = summary["ledger"]
    assert isinstance(ledger, dict)
    assert ledger["reports"] == {"task_opened": 1}, summary
