"""Each rule alone, on a handful of rows put straight into its input tables."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from certhub.hub import comparison
from certhub.hub.comparison import rules
from certhub.hub.comparison.rules import RunWindow
from certhub.hub.comparison.sqlfuncs import install_macros
from certhub.schemas.resident_id import check_character

WINDOW = RunWindow(date(2026, 10, 1), date(2026, 10, 31))


def _id(first17: str) -> str:
    return first17 + check_character(first17)


ANN, BEN = _id("44010319500101002"), _id("44530219401231001")


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    install_macros(connection)
    return connection


def _active(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str, str, str, str]]) -> None:
    """``active`` rows (id_number, department, record_id, kind, event date; grade from the
    department) and the ``roster`` entries of their people."""
    grades = {"civil_affairs": "A", "health": "B", "exit_entry": "B", "canteen": "C"}
    con.execute(
        "CREATE TABLE active (id_number VARCHAR, department VARCHAR, record_id VARCHAR,"
        " kind VARCHAR, event DATE, grade VARCHAR, roster_name VARCHAR, city VARCHAR,"
        " county VARCHAR, village VARCHAR)"
    )
    for number, dept, record, kind, when in rows:
        con.execute(
            "INSERT INTO active VALUES (?, ?, ?, ?, ?, ?, '某人', '4401', '440103', NULL)",
            [number, dept, record, kind, when, grades[dept]],
        )
    con.execute(
        "CREATE TABLE roster AS SELECT DISTINCT id_number, roster_name AS name, city, county,"
        " village FROM active"
    )


def test_direct_evidence_one_task_per_person_and_kind_grade_decides(
    con: duckdb.DuckDBPyConnection,
) -> None:
    _active(
        con,
        [
            (ANN, "civil_affairs", "C1", "cremation", "2026-10-03"),
            (ANN, "health", "H1", "death", "2026-10-02"),  # same kind of task: one proposal
            (BEN, "health", "H2", "death", "2026-10-05"),  # grade B alone
            (BEN, "exit_entry", "E1", "emigration", "2026-10-06"),
        ],
    )
    rules.propose_tasks(con, WINDOW)
    got = con.execute(
        "SELECT id_number, task_kind, status, event_date, len(sources) FROM proposals ORDER BY ALL"
    ).fetchall()
    assert got == [
        (ANN, "death", "open", date(2026, 10, 2), 2),
        (BEN, "death", "awaiting_second_source", date(2026, 10, 5), 1),
        (BEN, "loss_of_nationality", "awaiting_second_source", date(2026, 10, 6), 1),
    ]


@pytest.mark.parametrize("bucket_rows", [1_000_000, 1])  # one aggregate, one per signal
def test_seen_alive_in_the_period_and_nothing_direct_certifies(
    con: duckdb.DuckDBPyConnection, bucket_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "SEEN_ALIVE_BUCKET_ROWS", bucket_rows)
    _active(
        con,
        [
            (ANN, "canteen", "M1", "canteen_meal", "2026-10-09"),
            (ANN, "health", "M2", "medical_visit", "2026-09-30"),  # before the period: not cited
            (BEN, "canteen", "M3", "canteen_meal", "2026-10-09"),
            (BEN, "health", "H1", "death", "2026-10-20"),  # any direct evidence blocks 免办
        ],
    )
    rules.propose_tasks(con, WINDOW)
    _name_only_matches(con, [(ANN, "canteen_meal")])  # auxiliary by name only: no hold
    rules.certify_seen_alive(con, WINDOW)
    got = con.execute("SELECT id_number, last_seen, sources, rule FROM certifications").fetchall()
    assert got == [
        (
            ANN,
            date(2026, 10, 9),
            [
                {
                    "department": "canteen",
                    "record_id": "M1",
                    "kind": "canteen_meal",
                    "event_date": date(2026, 10, 9),
                    "grade": "C",
                }
            ],
            "R-ALIVE",
        )
    ]


def _name_only_matches(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str]]) -> None:
    """``review`` as R-NAME-ONLY leaves it: the roster person a record names, its kind."""
    con.execute("CREATE TABLE review (candidate_id_number VARCHAR, kind VARCHAR)")
    for person, kind in rows:
        con.execute("INSERT INTO review VALUES (?, ?)", [person, kind])


@pytest.mark.parametrize("kind", ["cremation", "death", "imprisonment"])
def test_a_direct_record_matched_by_name_only_holds_the_certification(
    con: duckdb.DuckDBPyConnection, kind: str
) -> None:
    _active(con, [(ANN, "canteen", "M1", "canteen_meal", "2026-10-09")])
    rules.propose_tasks(con, WINDOW)
    _name_only_matches(con, [(ANN, kind)])  # an invalid ID number: never acted on, not certified
    rules.certify_seen_alive(con, WINDOW)
    assert con.execute("SELECT id_number FROM certifications").fetchall() == []


def test_a_void_withdraws_only_its_departments_record(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE evidence AS SELECT *, NULL AS name, 'A' AS grade FROM (VALUES"
        f" ('{BEN}', 'civil_affairs', 'C1', 'cremation', DATE '2026-10-03', NULL),"
        f" ('{BEN}', 'civil_affairs', 'V1', 'void', DATE '2026-10-20', 'C1'),"
        f" ('{BEN}', 'health', 'C1', 'death', DATE '2026-10-03', NULL))"
        " AS t(id_number, department, record_id, kind, event, voids_record_id)"
    )
    con.execute(
        f"CREATE TABLE roster AS SELECT '{BEN}' AS id_number, '某人' AS name, '4453' AS city,"
        " '445302' AS county, NULL AS village"
    )
    rules.match_by_id(con, WINDOW)
    rules.reverse_voids(con, WINDOW)
    assert con.execute(
        "SELECT department, voided_record_id, voided_kind, rule FROM reversals"
    ).fetchall() == [("civil_affairs", "C1", "cremation", "R-REVERSAL")]
    assert con.execute("SELECT department, record_id FROM active").fetchall() == [
        ("health", "C1")  # health's own record with the same id stands
    ]


def test_cleaning_gives_each_refused_row_one_reason(con: duckdb.DuckDBPyConnection) -> None:
    wrong = ANN[:17] + ("0" if ANN[17] != "0" else "1")
    rows = [
        ("R1", ANN, "cremation", "2026-10-03", None),  # clean
        ("R2", ANN, "medical_visit", "2026-10-03", None),  # not a civil-affairs kind
        ("R3", ANN, "cremation", "2026-13-01", None),
        ("R4", ANN, "cremation", "2026-11-01", None),
        ("R5", wrong, "cremation", "2026-10-03", None),
        ("R6", ANN, "cremation", "1949-12-31", None),
        ("R7", ANN, "void", "2026-10-03", None),
    ]
    con.execute(
        "CREATE TABLE feed_raw (department VARCHAR, record_id VARCHAR, id_number VARCHAR,"
        " name VARCHAR, birth_date VARCHAR, county VARCHAR, kind VARCHAR, event_date VARCHAR,"
        " voids_record_id VARCHAR)"
    )
    for record, number, kind, when, voids in rows:
        con.execute(
            "INSERT INTO feed_raw VALUES ('civil_affairs', ?, ?, '某人', NULL, '440103', ?, ?, ?)",
            [record, number, kind, when, voids],
        )
    con.execute(
        "CREATE TABLE rejects_feed (source VARCHAR, line BIGINT, error_type VARCHAR,"
        " csv_line VARCHAR)"
    )
    con.execute("CREATE TABLE feed_checked AS " + rules.checked_feed_sql("feed_raw", WINDOW))
    rules.clean_feed(con, WINDOW)
    assert dict(con.execute("SELECT record_id, reason FROM feed_checked").fetchall()) == {
        "R1": None,
        "R2": "unknown-kind",
        "R3": "bad-date",
        "R4": "future-event-date",
        "R5": "invalid-id",
        "R6": "event-before-birth",
        "R7": "void-without-record",
    }
    assert con.execute("SELECT record_id FROM evidence").fetchall() == [("R1",)]


def test_every_rule_says_why() -> None:
    for rule in comparison.RULES:
        assert rule.__doc__
        assert rule.__doc__.startswith(("R-", "R-CLEAN"))
    assert len(comparison.CITIES) == 21
