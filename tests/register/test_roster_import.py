"""``certhub roster import``: bad rows counted and masked, both encodings, Parquet, idempotent.

Run in-process through the CLI's entry point, into a SQLite ledger (and one
PostgreSQL database), and read back with the ledger's own queries.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import asyncpg
import duckdb
import pytest
from ledger_backends import Backend
from registerkit import ROSTER_HEADER, VILLAGE, resident_id, roster_line

from certhub.hub.cli.main import main
from certhub.hub.store import SqliteLedger
from certhub.hub.store.postgres import PostgresLedger
from certhub.schemas import BenefitRecord

WRONG_CHECK = resident_id(4)[:-1] + ("1" if resident_id(4)[-1] != "1" else "2")
GOOD = [
    roster_line(1, "张三"),
    roster_line(2, "买买提·艾力", village="", status="suspended", since="2025-06-01", mobile=""),
    roster_line(3, "𠮷野"),  # a rare character outside the BMP, kept as written
]
BAD = {
    "id_number": roster_line(4, id_number=WRONG_CHECK),
    "county": roster_line(5, county="449999", village=""),
    "village": roster_line(6, village="440104001001"),  # another county's village
    "status": roster_line(7, status="dead"),
    "suspended_since": roster_line(8, status="suspended"),  # suspended since when?
    "contact_mobile": roster_line(9, mobile="12345"),
    "name": roster_line(10, name=" "),
    "duplicate": roster_line(1, "张三 (again)"),
    "unreadable_line": "440103195001010110,short,line",
}
AS_OF = "2026-11-30T00:00:00+08:00"


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join([ROSTER_HEADER, *lines]) + "\n").encode(encoding))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["roster", "import", *args, "--as-of", "2026-11-30"])
    out = capsys.readouterr()
    return code, out.out + out.err


def roster_rows(data: Path) -> dict[str, tuple[str, bytes, int]]:
    """Each roster row's as_of, entry (as ``get_roster`` reads it) and sequence."""
    conn = sqlite3.connect(data / "ledger.sqlite3")
    try:
        rows = conn.execute("SELECT person_id, as_of, sequence FROM roster").fetchall()
    finally:
        conn.close()

    async def entries() -> dict[str, bytes]:
        ledger = await SqliteLedger.open_read_only(data / "ledger.sqlite3")
        try:
            return {p: await ledger.get_roster(p) or b"" for p, _, _ in rows}
        finally:
            await ledger.aclose()

    entry = asyncio.run(entries())
    return {p: (a, entry[p], q) for p, a, q in rows}


def stored_snapshots(data: Path) -> dict[str, bytes]:
    """The ``snapshot`` column itself (an imported row's is compact, not JSON)."""
    conn = sqlite3.connect(data / "ledger.sqlite3")
    try:
        return {p: bytes(s) for p, s in conn.execute("SELECT person_id, snapshot FROM roster")}
    finally:
        conn.close()


def imported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, lines: list[str], *options: str
) -> tuple[Path, Path, dict[str, tuple[str, bytes, int]]]:
    """``lines`` as a roster file imported once into a new data folder: the folder, the
    file and the roster's rows."""
    data, csv = tmp_path / "data", write_csv(tmp_path / "r.csv", lines)
    assert run(capsys, str(csv), "--data", str(data), *options)[0] == 0
    return data, csv, roster_rows(data)


def change_ledger(data: Path, *changes: tuple[str, tuple[object, ...]]) -> None:
    """Run ``changes`` (SQL and its parameters) on the SQLite ledger behind the hub's back."""
    conn = sqlite3.connect(data / "ledger.sqlite3")
    with conn:
        for sql, parameters in changes:
            conn.execute(sql, parameters)
    conn.close()


def register_of(data: Path, person: str) -> Any:
    async def read() -> Any:
        ledger = await SqliteLedger.open_read_only(data / "ledger.sqlite3")
        try:
            return await ledger.register_person(person)
        finally:
            await ledger.aclose()

    return asyncio.run(read())


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_bad_rows_are_counted_with_masked_samples_and_the_rest_loaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    lines = [*GOOD, *BAD.values()]
    if encoding == "gbk":  # GBK has no 𠮷: the GBK file names the third person otherwise
        lines[2] = roster_line(3, "吉野")
    data = tmp_path / "data"
    code, output = run(
        capsys, str(write_csv(tmp_path / "r.csv", lines, encoding)), "--data", str(data)
    )
    assert code == 1  # rows were refused
    assert f"{len(lines)} rows, 3 accepted, {len(BAD)} refused" in output
    for reason in BAD:
        assert f"refused {reason}: 1 (e.g. " in output
    assert "refused unreadable_line: 1 (e.g. line 13)" in output
    assert f"440103**********{WRONG_CHECK[-2:]}" in output  # masked: first 6 and last 2
    for line in lines:
        assert line.split(",")[0] not in output  # never a whole ID number
    assert ("GBK-encoded" in output) == (encoding == "gbk")
    # every parsed row as the monthly comparison checks it, the unreadable line aside
    checked = data / "roster" / "snapshots" / "2026-11.checked"
    parsed = duckdb.execute(f"SELECT count(*) FROM '{checked / 'roster.parquet'}'").fetchall()  # noqa: S608
    unread = duckdb.execute(f"SELECT line FROM '{checked / 'rejects.parquet'}'").fetchall()  # noqa: S608
    assert (parsed, unread) == ([(len(lines) - 1,)], [(13,)])
    assert ("GBK" in (checked / "notes.json").read_text()) == (encoding == "gbk")
    stored = roster_rows(data)
    assert sorted(stored) == sorted(resident_id(n) for n in (1, 2, 3))
    for person, (as_of, snapshot, sequence) in stored.items():
        record = BenefitRecord.model_validate_json(snapshot)  # what the restoration rules read
        assert (record.person.id_number, record.as_of.isoformat(), as_of, sequence) == (
            person,
            AS_OF,
            AS_OF,
            0,
        )
    suspended = BenefitRecord.model_validate_json(stored[resident_id(2)][1])
    assert (suspended.person.name, suspended.status.value, str(suspended.suspended_since)) == (
        "买买提·艾力",
        "suspended",
        "2025-06-01",
    )
    assert suspended.contact_mobile is None
    assert suspended.person.region.village is None
    # Stored as its fields (the unit separator between them), read back as the JSON the
    # import always built, key for key.
    kept = stored_snapshots(data)
    assert (
        kept[resident_id(2)]
        == (
            "r1\x1f183.00\x1f2026-10\x1f************1234\x1f\x1f440103\x1f买买提·艾力"
            "\x1fsuspended\x1f2025-06-01"
        ).encode()
    )
    assert kept[resident_id(1)].startswith(b"r1\x1f183.00\x1f2026-10\x1f************1234\x1f1380")
    assert json.loads(stored[resident_id(2)][1]) == {
        "type": "benefit_record/v1",
        "person": {
            "id_number": resident_id(2),
            "name": "买买提·艾力",
            "region": {"county": "440103"},
        },
        "status": "suspended",
        "monthly_amount": "183.00",
        "paid_through": "2026-10",
        "suspended_since": "2025-06-01",
        "bank_account_on_file": "************1234",
        "contact_mobile": None,
        "as_of": AS_OF,
    }
    first = json.loads(stored[resident_id(1)][1])
    assert (first["person"]["region"], first["contact_mobile"], first["suspended_since"]) == (
        {"county": "440103", "village": VILLAGE},
        "13800138000",
        None,
    )
    row = register_of(data, resident_id(1))
    assert (row.area, row.name, row.roster_status, row.due_month) == (
        VILLAGE,
        "张三",
        "active",
        None,
    )
    snapshot = data / "roster" / "snapshots" / "2026-11.parquet"
    ids = duckdb.sql(f"SELECT id_number FROM read_parquet('{snapshot}') ORDER BY 1").fetchall()  # noqa: S608
    assert [i for (i,) in ids] == sorted(stored)


def test_importing_again_changes_nothing_and_a_newer_entry_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, csv, first = imported(capsys, tmp_path, GOOD)
    newer = json.loads(first[resident_id(1)][1])
    newer["as_of"] = "2026-12-02T09:00:00+08:00"
    newer["status"] = "terminated"
    change_ledger(  # what a later POST /v1/roster stores for one person
        data,
        (
            "UPDATE roster SET as_of = ?, snapshot = ?, sequence = 7 WHERE person_id = ?",
            (newer["as_of"], json.dumps(newer).encode(), resident_id(1)),
        ),
    )
    code, output = run(capsys, str(csv), "--data", str(data))
    assert code == 0
    assert "3 rows, 3 accepted, 0 refused" in output
    again = roster_rows(data)
    assert again[resident_id(2)] == first[resident_id(2)]
    assert again[resident_id(1)][2] == 7  # the newer single change was not overwritten
    assert BenefitRecord.model_validate_json(again[resident_id(1)][1]).status.value == "terminated"


def test_a_parquet_roster_loads_like_its_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = write_csv(tmp_path / "r.csv", [*GOOD, BAD["status"]])
    parquet = tmp_path / "r.parquet"
    table = duckdb.read_csv(str(csv), all_varchar=True)
    table.write_parquet(str(parquet))
    code, output = run(capsys, str(parquet), "--data", str(tmp_path / "data"), "--progress")
    assert code == 1
    assert "4 rows, 3 accepted, 1 refused" in output
    assert "[4/4] counted" in output  # the checking steps, then the rows' bar with its ETA
    assert "100% 3/3 rows" in output
    assert "ETA" in output
    assert sorted(roster_rows(tmp_path / "data")) == sorted(resident_id(n) for n in (1, 2, 3))


def test_a_roster_without_a_required_column_is_refused_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "r.csv"
    csv.write_text("id_number,name,county\n" + resident_id(1) + ",张三,440103\n")
    data = tmp_path / "data"
    code, output = run(capsys, str(csv), "--data", str(data))
    assert code == 2
    assert "has no column status, monthly_amount, paid_through, bank_account_on_file" in output
    assert not (data / "ledger.sqlite3").exists()
    assert not (data / "roster").exists()


def test_a_roster_loads_into_postgresql(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    async def empty() -> None:
        conn = await asyncpg.connect(postgres_url, timeout=10)
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        finally:
            await conn.close()

    asyncio.run(empty())
    csv = write_csv(tmp_path / "r.csv", [*GOOD, BAD["county"]])
    args = (str(csv), "--data", str(tmp_path / "data"), "--database-url", postgres_url)
    assert run(capsys, *args)[0] == 1
    assert run(capsys, *args)[0] == 1  # again: nothing changes

    async def read() -> tuple[Any, Any, int]:
        ledger = await PostgresLedger.open_read_only(postgres_url)
        try:
            snapshot = await ledger.get_roster(resident_id(2))
            person = await ledger.register_person(resident_id(2))
            rows = await ledger._read("SELECT count(*) FROM roster", ())
            return snapshot, person, int(str(rows[0][0]))
        finally:
            await ledger.aclose()

    snapshot, person, count = asyncio.run(read())
    assert count == 3
    assert BenefitRecord.model_validate_json(snapshot).suspended_since is not None
    assert (person.roster_status, person.suspended_since, person.area) == (
        "suspended",
        "2025-06-01",
        "440103",
    )


def test_importing_again_writes_what_lags_behind_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A re-import skips only people whose roster entry *and* register row are current."""
    data, csv, first = imported(capsys, tmp_path, GOOD)
    change_ledger(  # person 2's register row lags (an older copy); person 3's roster entry is gone
        data,
        (
            "UPDATE register_people SET roster_as_of = '2026-01-01T00:00:00+08:00',"
            " roster_status = 'active' WHERE person_id = ?",
            (resident_id(2),),
        ),
        ("DELETE FROM roster WHERE person_id = ?", (resident_id(3),)),
    )
    assert run(capsys, str(csv), "--data", str(data))[0] == 0
    assert roster_rows(data) == first
    lagging = register_of(data, resident_id(2))
    assert (lagging.roster_status, lagging.suspended_since) == ("suspended", "2025-06-01")


def test_the_checks_run_in_bounded_memory_and_spill_to_the_scratch_folder(tmp_path: Path) -> None:
    from datetime import date

    from certhub.hub.register.importer import RosterFile

    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_HEADER + "\n" + roster_line(1) + "\n", encoding="utf-8")
    loaded = RosterFile(
        roster, tmp_path, as_of="2026-12-01T00:00:00+08:00", today=date(2026, 12, 6),
        memory_limit="256MB",
    )  # fmt: skip
    try:
        loaded.load()
        setting = loaded.con.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
        assert loaded.accepted == 1
    finally:
        loaded.close()
    assert setting is not None
    limit, spill = setting
    assert limit in ("256.0 MiB", "244.1 MiB")  # DuckDB prints bytes in binary units
    assert spill == str(tmp_path / "spill")


def test_batches_are_ranges_of_id_numbers_and_skip_who_is_current(tmp_path: Path) -> None:
    from datetime import date

    from certhub.hub.register.importer import RosterFile

    ids = sorted(resident_id(n) for n in (5, 1, 4, 2, 3))
    csv = write_csv(tmp_path / "r.csv", [roster_line(n) for n in (5, 1, 4, 2, 3)])
    loaded = RosterFile(csv, tmp_path, as_of=AS_OF, today=date(2026, 12, 6))
    try:
        loaded.load()
        assert loaded.bounds(2) == [(ids[0], ids[1]), (ids[2], ids[3]), (ids[4], ids[4])]
        assert [r[0] for r in loaded.batch(1, 2)] == ids[2:4]
        assert [r[0] for r in loaded.batch(1, 2, {ids[2], resident_id(9)})] == [ids[3]]
        assert loaded.batch(1, 2, {ids[2], ids[3]}) == []  # all current: nothing is built
        (row,) = loaded.batch(2, 2)
        assert row[:2] == (ids[4], AS_OF)
        assert row[3:] == (VILLAGE, "张三", "active", None)
        assert (
            row[2]
            == "\x1f".join(
                [
                    "r1",
                    "183.00",
                    "2026-10",
                    "************1234",
                    "13800138000",
                    VILLAGE,
                    "张三",
                    "active",
                    "",
                ]
            ).encode()
        )
    finally:
        loaded.close()


async def test_a_range_is_built_without_the_people_the_ledger_holds_current(
    ledger_factory: Backend,
) -> None:
    """Both backends: the ledger names who is current in the range (people of the range
    not in the file too), builds the rest, and two batches may share one transaction."""
    from certhub.hub.store.roster_import import RosterRange

    ledger = await ledger_factory.open()
    newer = "2026-12-02T09:00:00+08:00"

    def row(n: int, as_of: str = AS_OF, name: str = "") -> tuple[object, ...]:
        record = json.dumps({"id_number": resident_id(n), "as_of": as_of}).encode()
        return (resident_id(n), as_of, record, VILLAGE, name or f"P{n}", "active", None)

    await ledger.import_roster(
        [row(3, newer, "newer"), row(6)]
    )  # 6 is in the range, not in the file
    asked: list[frozenset[str]] = []

    def build(ns: list[int]) -> Any:
        def rows(current: frozenset[str]) -> list[tuple[object, ...]]:
            asked.append(current)
            return [row(n) for n in ns if resident_id(n) not in current]

        return rows

    first = RosterRange(resident_id(1), resident_id(4), AS_OF, build([1, 2, 3, 4]))
    second = RosterRange(resident_id(7), resident_id(8), AS_OF, build([7, 8]))
    await asyncio.gather(ledger.import_roster(first), ledger.import_roster(second))
    assert sorted(asked, key=len) == [frozenset(), frozenset({resident_id(3)})]
    for n in (1, 2, 4, 7, 8):
        assert json.loads(await ledger.get_roster(resident_id(n)))["as_of"] == AS_OF
        assert (await ledger.register_person(resident_id(n))).name == f"P{n}"
    assert json.loads(await ledger.get_roster(resident_id(3)))["as_of"] == newer
    assert (await ledger.register_person(resident_id(3))).name == "newer"


def test_an_import_in_several_batches_rewrites_only_what_lags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("certhub.hub.cli.roster.BATCH", 2)
    lines = [roster_line(n, f"人{n}") for n in range(1, 8)]
    data, csv, first = imported(capsys, tmp_path, lines, "--progress")
    assert sorted(first) == sorted(resident_id(n) for n in range(1, 8))
    change_ledger(  # the fourth person (second batch) lags in both tables
        data,
        ("DELETE FROM roster WHERE person_id = ?", (resident_id(4),)),
        (
            "UPDATE register_people SET name = 'old', roster_as_of = '2026-01-01T00:00:00+08:00'"
            " WHERE person_id = ?",
            (resident_id(4),),
        ),
    )
    code, output = run(capsys, str(csv), "--data", str(data), "--progress")
    assert code == 0
    assert "7 rows, 7 accepted, 0 refused" in output
    assert roster_rows(data) == first
    assert register_of(data, resident_id(4)).name == "人4"


async def test_batches_larger_than_one_statement_keep_the_newest_entry(
    ledger_factory: Backend,
) -> None:
    """SQLite writes 50 rows per statement, PostgreSQL copies a batch: 120 rows (two full
    statements and 20 one by one), then again with half of them newer, some names changed."""
    ledger = await ledger_factory.open()
    newer = "2026-12-31T00:00:00+08:00"

    def row(n: int, as_of: str, name: str) -> tuple[object, ...]:
        record = json.dumps({"n": n, "as_of": as_of}, separators=(",", ":")).encode()
        since = "2025-06-01" if n % 7 == 0 else None
        status = "suspended" if since else "active"
        return (resident_id(n), as_of, record, f"{VILLAGE[:9]}{n:03d}", name, status, since)

    await ledger.import_roster([row(n, AS_OF, f"甲{n}") for n in range(120)])
    await ledger.import_roster([row(n, newer if n % 2 else AS_OF, f"乙{n}") for n in range(120)])
    for n in range(120):
        kept = (newer, f"乙{n}") if n % 2 else (AS_OF, f"甲{n}")
        assert json.loads(await ledger.get_roster(resident_id(n))) == {"n": n, "as_of": kept[0]}
        person = await ledger.register_person(resident_id(n))
        assert (person.name, person.area) == (kept[1], f"{VILLAGE[:9]}{n:03d}")
        assert person.suspended_since == ("2025-06-01" if n % 7 == 0 else None)


def test_a_stored_entry_reads_as_json_whatever_its_form() -> None:
    """JSON (``POST /v1/roster``, older imports) as it is; a damaged compact entry is refused."""
    from certhub.hub.store.roster_compact import roster_entry

    posted = b'{"type":"benefit_record/v1","as_of":"2026-12-02T09:00:00+08:00"}'
    assert roster_entry(posted, resident_id(1), AS_OF) == posted
    compact = "\x1f".join(["r1", "0.5", "2026-01", "1234", "", "440103", "甲", "terminated", ""])
    entry = BenefitRecord.model_validate_json(roster_entry(compact.encode(), resident_id(1), AS_OF))
    assert (entry.status.value, str(entry.monthly_amount), entry.contact_mobile) == (
        "terminated",
        "0.5",
        None,
    )
    with pytest.raises(ValueError, match="has 3 fields, not 8"):
        roster_entry(b"r1\x1f183.00\x1f2026-10\x1f1234", resident_id(1), AS_OF)


def test_a_lower_case_check_character_is_the_same_number(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """GB 11643's own example, 11010519491231002X, typed with a lower-case x (as spreadsheets
    and hands do): the comparison reads it upper-cased and the API takes it, so the import
    does too, storing the canonical upper-case X. Before, it was refused as an invalid
    id_number and the pensioner was not on the register at all."""
    data, _, rows = imported(
        capsys, tmp_path, [roster_line(1, "张三", id_number="11010519491231002x")]
    )
    assert list(rows) == ["11010519491231002X"]
    assert register_of(data, "11010519491231002X") is not None
