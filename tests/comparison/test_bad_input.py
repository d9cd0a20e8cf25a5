"""Bad input: each kind reported per row with a count and a masked sample, the rest processed.

Never a wrong action: a refused row neither certifies anyone nor proposes a task.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from certhub.hub.comparison.catalogue import FEED_COLUMNS
from certhub.hub.comparison.engine import run_comparison
from certhub.hub.comparison.loading import ComparisonInputError
from certhub.schemas.resident_id import check_character

from .conftest import OPTIONS

PERIOD = "2026-10"


def _id(county: str, birth: str, seq: str) -> str:
    first17 = county + birth + seq
    return first17 + check_character(first17)


ALICE = _id("440103", "19500101", "002")  # on the roster, seen alive
BOB = _id("445302", "19401231", "011")  # on the roster, reported dead
CAROL = _id("441481", "19600704", "020")  # on the roster, 买买提·艾力
HEADER = ",".join(FEED_COLUMNS) + "\n"


def _roster(folder: Path, header: str = "id_number,name,county,village") -> None:
    rows = [
        f"{ALICE},陈大文,440103,440103001001",
        f"{BOB},黄小明,445302,445302002003",
        f"{CAROL},买买提·艾力,441481,",
    ]
    (folder / "roster.csv").write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")


def _line(record: str, number: str, kind: str, when: str, **kw: str) -> str:
    return ",".join(
        [record, number, kw.get("name", "某人"), kw.get("birth", ""), kw.get("county", ""), kind,
         when, kw.get("voids", "")]
    ) + "\n"  # fmt: skip


def _run(folder: Path, tmp: Path, **files: str | bytes) -> dict[str, Any]:
    for name, body in files.items():
        data = body if isinstance(body, bytes) else (HEADER + body).encode("utf-8")
        (folder / f"{name}.csv").write_bytes(data)
    if not (folder / "roster.csv").exists():
        _roster(folder)
    return run_comparison(folder, tmp / "runs", PERIOD, options=OPTIONS).summary


def _alive(number: str = ALICE) -> str:
    return _line("M1", number, "medical_visit", "2026-10-05")


def test_invalid_id_numbers_are_refused_masked_and_only_queued(tmp_path: Path) -> None:
    wrong = BOB[:17] + ("0" if BOB[17] != "0" else "1")
    summary = _run(
        tmp_path,
        tmp_path,
        health=_alive()
        + _line(
            "D1", wrong, "death", "2026-10-09", name="黄 小明", birth="1940-12-31", county="445302"
        ),
    )
    entry = summary["refused"]["health"]["invalid-id"]
    assert entry["count"] == 1
    assert entry["samples"] == [f"record D1 id {wrong[:6]}**********{wrong[-2:]}"]
    assert summary["tasks"] == {}  # never acted on
    assert summary["review"] == 1  # the name, birth date and county point at BOB: a person decides
    assert summary["certified"] == 1


def test_a_gbk_feed_is_read_and_noted(tmp_path: Path) -> None:
    body = HEADER + _line("C1", CAROL, "canteen_meal", "2026-10-02", name="买买提·艾力")
    summary = _run(tmp_path, tmp_path, canteen=body.encode("gb18030"), health=_alive())
    assert {"source": "canteen", "note": "GBK-encoded: read as GB18030"} in summary["notes"]
    assert summary["certified"] == 2


def test_undecodable_lines_are_refused_the_rest_processed(tmp_path: Path) -> None:
    good = (HEADER + _alive()).encode()
    bad = _line("M2", BOB, "medical_visit", "2026-10-06", name="X").encode().replace(b"X", b"\xff")
    summary = _run(tmp_path, tmp_path, health=good + bad)
    assert summary["refused"]["health"]["invalid-encoding"]["count"] == 1
    assert summary["certified"] == 1


def test_truncated_lines_are_refused_the_rest_processed(tmp_path: Path) -> None:
    summary = _run(tmp_path, tmp_path, health=_alive() + f"M9,{BOB},黄小\n" + "M10\n")
    entry = summary["refused"]["health"]["missing-columns"]
    assert entry["count"] == 2
    assert BOB not in str(entry["samples"])
    assert summary["certified"] == 1


def test_each_feeds_refused_lines_are_its_own_numbered_in_its_file(tmp_path: Path) -> None:
    # the feeds are read by one reader: a line it refuses is the file's, at the file's line
    undecodable = _line("C4", BOB, "canteen_meal", "2026-10-06", name="X").encode()
    canteen = HEADER + _line("C1", ALICE, "canteen_meal", "2026-10-07") * 2 + "C3\n"
    summary = _run(
        tmp_path,
        tmp_path,
        health=_alive() + f"M9,{BOB},黄小\n",
        canteen=canteen.encode() + undecodable.replace(b"X", b"\xff"),
    )
    refused = summary["refused"]
    assert refused["health"]["missing-columns"]["count"] == 1
    assert refused["health"]["missing-columns"]["samples"][0].startswith("line 3: M9,")
    assert refused["canteen"]["missing-columns"]["count"] == 1
    assert refused["canteen"]["missing-columns"]["samples"] == ["line 4: C3"]
    assert refused["canteen"]["invalid-encoding"]["count"] == 1
    assert refused["canteen"]["invalid-encoding"]["samples"][0].startswith("line 5: C4,")
    assert "invalid-encoding" not in refused["health"]
    assert summary["certified"] == 1


def test_duplicate_rows_count_once_and_conflicting_ones_never(tmp_path: Path) -> None:
    death = _line("D1", BOB, "cremation", "2026-10-09")
    other = _line("D2", CAROL, "cremation", "2026-10-09")
    summary = _run(
        tmp_path,
        tmp_path,
        health=_alive() + _alive(),
        civil_affairs=death + death + other + _line("D2", CAROL, "cremation", "2026-10-10"),
    )
    assert summary["refused"]["health"]["duplicate-row"]["count"] == 1
    assert summary["refused"]["civil_affairs"]["duplicate-row"]["count"] == 1
    assert summary["refused"]["civil_affairs"]["conflicting-record-id"]["count"] == 2
    assert summary["tasks"] == {"death": {"open": 1}}  # BOB once; CAROL's record is ambiguous


def test_future_event_dates_are_refused(tmp_path: Path) -> None:
    summary = _run(tmp_path, tmp_path, civil_affairs=_line("D1", BOB, "cremation", "2026-11-03"))
    assert summary["refused"]["civil_affairs"]["future-event-date"]["count"] == 1
    assert summary["tasks"] == {}


def test_events_before_birth_are_refused(tmp_path: Path) -> None:
    summary = _run(tmp_path, tmp_path, health=_alive(BOB).replace("2026-10-05", "1930-01-01"))
    assert summary["refused"]["health"]["event-before-birth"]["count"] == 1
    assert summary["certified"] == 0


@pytest.mark.parametrize("body", [b"", HEADER.encode()])
def test_an_empty_feed_is_noted_and_the_rest_processed(tmp_path: Path, body: bytes) -> None:
    summary = _run(tmp_path, tmp_path, justice=body, health=_alive())
    assert [n["source"] for n in summary["notes"]] == ["justice"]
    assert summary["certified"] == 1


def test_a_roster_missing_a_column_refuses_the_run_and_writes_nothing(tmp_path: Path) -> None:
    _roster(tmp_path, header="id_number,name,village")
    with pytest.raises(ComparisonInputError, match="no column county"):
        _run(tmp_path, tmp_path, health=_alive())
    assert not (tmp_path / "runs").exists()


def test_roster_rows_missing_a_value_are_refused_the_rest_compared(tmp_path: Path) -> None:
    _roster(tmp_path)
    with (tmp_path / "roster.csv").open("a", encoding="utf-8") as stream:
        stream.write("440103195001010099\n")
    summary = _run(tmp_path, tmp_path, health=_alive())
    assert summary["refused"]["roster"]["missing-columns"]["count"] == 1
    assert summary["roster"] == 3
    assert summary["certified"] == 1


def test_a_void_reverses_the_record_it_withdraws(tmp_path: Path) -> None:
    summary = _run(
        tmp_path,
        tmp_path,
        civil_affairs=_line("D1", BOB, "cremation", "2026-10-03")
        + _line("V1", BOB, "void", "2026-10-20", voids="D1"),
        health=_alive(BOB),
    )
    assert summary["reversals"] == 1
    assert summary["tasks"] == {}
    assert summary["certified"] == 1  # seen alive, and the only death record was withdrawn


def test_a_grade_b_source_alone_waits_for_a_second_department(tmp_path: Path) -> None:
    alone = _run(tmp_path, tmp_path, health=_line("H1", BOB, "death", "2026-10-03"))
    assert alone["tasks"] == {"death": {"awaiting_second_source": 1}}
    both = _run(
        tmp_path, tmp_path, exit_entry=_line("E1", BOB, "emigration", "2026-10-04")
    )  # health.csv is still there: two grade-B departments, two kinds
    assert both["tasks"] == {
        "death": {"awaiting_second_source": 1},
        "loss_of_nationality": {"awaiting_second_source": 1},
    }


def test_a_person_twice_on_the_roster_is_refused_and_never_certified(tmp_path: Path) -> None:
    _roster(tmp_path)
    with (tmp_path / "roster.csv").open("a", encoding="utf-8") as stream:
        stream.write(f"{ALICE},陈大文,440103,440103001001\n")
    summary = _run(tmp_path, tmp_path, health=_alive())
    assert summary["refused"]["roster"]["duplicate-row"]["count"] == 2
    assert summary["roster"] == 2
    assert summary["certified"] == 0
