"""Every number of a run's summary equals what the generator planted (its truth files)."""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb

from certhub.hub.comparison.engine import ComparisonRun, run_comparison
from certhub.schemas import validate_resident_id

from .conftest import OPTIONS, PERIOD, TODAY


def _people(generated: Path) -> list[dict[str, str]]:
    with (generated / "truth" / "people.csv").open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def _expected_tasks(people: list[dict[str, str]]) -> dict[str, dict[str, int]]:
    tasks: Counter[tuple[str, str]] = Counter()
    for p in people:
        if p["fate"] == "died":  # health alone (src 8) is grade B: waits for a second source
            tasks["death", "awaiting_second_source" if p["src"] == "8" else "open"] += 1
        elif p["fate"] == "imprisoned":
            tasks["imprisonment", "open"] += 1
        elif p["fate"] == "other_pension":
            tasks["duplicate_receipt", "open"] += 1
        elif p["fate"] == "emigrated":
            tasks["loss_of_nationality", "awaiting_second_source"] += 1
    out: dict[str, dict[str, int]] = {}
    for (kind, status), n in tasks.items():
        out.setdefault(kind, {})[status] = n
    return out


def test_generated_roster_numbers_are_valid_and_ages_60_to_100(generated: Path) -> None:
    rows = duckdb.sql(f"SELECT id_number FROM '{generated / 'roster.parquet'}'").fetchall()
    assert len(rows) == 20_000 == len({r[0] for r in rows})
    for (number,) in rows[::97]:
        assert validate_resident_id(number, today=TODAY) == number
        age = 2026 - int(number[6:10]) - (number[10:14] > "1001")
        assert 60 <= age <= 100


def test_summary_counts_equal_the_planted_truth(
    province_run: ComparisonRun, generated: Path
) -> None:
    people = _people(generated)
    summary = province_run.summary
    certified = Counter(p["city"] for p in people if p["certified"] == "true")
    assert summary["roster"] == 20_000
    assert summary["certified"] == sum(certified.values()) > 0
    assert {c: v["certified"] for c, v in summary["cities"].items() if v["certified"]} == certified
    assert summary["exempt_ratio"] == round(sum(certified.values()) / 20_000, 6)
    assert summary["tasks"] == _expected_tasks(people)
    assert summary["reversals"] == sum(p["fate"] == "wrong_death" for p in people)
    blocked = [p for p in people if p["seen_alive"] == "true" and p["certified"] == "false"]
    assert summary["seen_alive_but_direct_evidence"] == sum(
        p["fate"] != "wrong_death" for p in blocked
    )
    assert summary["review"] == sum(p["dirty_row"] == "invalid-id" for p in people)


def test_refused_rows_equal_the_planted_dirty_rows(
    province_run: ComparisonRun, generated: Path
) -> None:
    with (generated / "truth" / "dirty.csv").open(encoding="utf-8") as stream:
        planted = {(r["department"], r["reason"]): int(r["n"]) for r in csv.DictReader(stream)}
    planted["grid_service", "missing-columns"] = 2  # the two truncated lines
    refused = {
        (source, reason): entry["count"]
        for source, reasons in province_run.summary["refused"].items()
        for reason, entry in reasons.items()
    }
    assert refused == planted
    with (generated / "truth" / "unmatched.csv").open(encoding="utf-8") as stream:
        unmatched = {r["department"]: int(r["n"]) for r in csv.DictReader(stream)}
    assert province_run.summary["unmatched"] == unmatched


def test_outputs_name_their_rule_and_sources(province_run: ComparisonRun, generated: Path) -> None:
    certified = {p["id_number"] for p in _people(generated) if p["certified"] == "true"}
    rows = duckdb.sql(f"SELECT * FROM '{province_run.certifications}'").fetchall()
    assert {r[0] for r in rows} == certified
    for line in (province_run.folder / "proposals.json").read_text().splitlines():
        proposal = json.loads(line)
        assert proposal["rule"] == "R-DIRECT"
        assert proposal["sources"]
        assert all(s["record_id"] and s["grade"] in "AB" for s in proposal["sources"])


def test_city_partitions_add_up_to_the_province(
    province_run: ComparisonRun, generated: Path, tmp_path: Path
) -> None:
    runs = [
        run_comparison(generated, tmp_path, PERIOD, city=city, options=OPTIONS).summary
        for city in ("4408", "4453", "4403")
    ]
    for run in runs:
        whole = province_run.summary["cities"][run["city"]]
        assert run["cities"] == {run["city"]: whole}


def test_a_rerun_writes_the_same_outputs(
    province_run: ComparisonRun, generated: Path, tmp_path: Path
) -> None:
    first = {p.name: p.read_bytes() for p in province_run.folder.glob("*.json")}
    runs = shutil.copytree(province_run.folder.parent, tmp_path / "runs")
    # over a copy of the runs folder: re-running into the session's own would rewrite the
    # summary (its timings) that later tests compare with what the hub serves
    again = run_comparison(generated, runs, PERIOD, options=OPTIONS)
    assert {p.name: p.read_bytes() for p in again.folder.glob("*.json")} == first


def test_every_city_and_feed_count_equals_the_planted_truth(
    province_run: ComparisonRun, generated: Path
) -> None:
    """The summary's numbers the province-wide test leaves out: each city's roster, tasks,
    reversals, names to review and 免办 ratio, the feed rows read, the candidates seen
    alive — each counted here from the generator's files alone."""
    people = _people(generated)
    summary = province_run.summary
    with (generated / "roster.csv").open(encoding="utf-8") as stream:
        roster = Counter(row["county"][:4] for row in csv.DictReader(stream))
    by_city: dict[str, list[dict[str, str]]] = {}
    for p in people:
        by_city.setdefault(p["city"], []).append(p)
    assert {city: entry["roster"] for city, entry in summary["cities"].items()} == dict(roster)
    for city, entry in summary["cities"].items():
        mine = by_city.get(city, [])
        certified = sum(p["certified"] == "true" for p in mine)
        assert entry["tasks"] == _expected_tasks(mine), city
        assert entry["reversals"] == sum(p["fate"] == "wrong_death" for p in mine), city
        assert entry["review"] == sum(p["dirty_row"] == "invalid-id" for p in mine), city
        assert entry["exempt_ratio"] == round(certified / roster[city], 6), city
    # every data line of every feed file but the two truncated ones (refused unread)
    lines = 0
    for feed in generated.glob("*.csv"):
        if feed.name == "roster.csv":
            continue
        raw = feed.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:  # the one feed the generator writes in GBK
            text = raw.decode("gb18030")
        lines += sum(1 for line in text.splitlines()[1:] if line.strip())
    assert summary["feed_records"] == lines - 2
    # no ledger behind an engine-only run: nobody withheld, every candidate certified
    assert summary.get("seen_alive_candidates", summary["certified"]) == summary["certified"]
    assert not summary.get("withheld")
