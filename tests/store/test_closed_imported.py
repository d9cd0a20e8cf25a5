"""Who a roster import may show paid after a termination or a suspension, on both backends:
the people whose benefit the hub closed, or suspended on a confirmed imprisonment or
disappearance, and whose roster entry is that import's (``sequence`` 0, its ``as_of``) —
one query over the closed benefits and confirmed tasks (``certhub roster import``, rule 6)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ledger_backends import Ledger
from ledgerkit import T0, message_series, receipt

from certhub.hub.store import RecordKind
from certhub.hub.store.effects import BenefitClosure, Effects, RosterWrite, TaskWrite
from certhub.hub.store.queries import CLOSED_IMPORTED

AS_OF = "2026-11-30T00:00:00+08:00"
LATER = "2026-12-01T00:00:00+08:00"

message = message_series(
    T0, kind=RecordKind.CERTIFICATION, message_type="decision/v1", sender="county-1"
)


def task(person: str, kind: str, status: str) -> TaskWrite:
    """A ``kind`` task of ``person`` stored ``status`` (its snapshot not read here)."""
    return TaskWrite(f"t-{person}", person, kind, status, "440103", None, b"{}", None)


def row(person: str, as_of: str) -> tuple[object, ...]:
    """An import's row of ``person`` (its compact entry left empty: not read here)."""
    return (person, as_of, b"", "440103001001", "张三", "active", None)


async def test_only_closed_benefits_whose_entry_is_this_imports_are_named(
    ledger: Ledger,
) -> None:
    closures = [BenefitClosure(p, "death", f"t{p}") for p in ("P1", "P2", "P3", "P4")]
    for n, closure in enumerate(closures, 1):
        await ledger.append(message(n), receipt, Effects(closure=closure))
    # P2's entry came through POST /v1/roster (a ledger record): not an import's
    pushed = RosterWrite("P2", LATER, b"{}", "440103001001", "张三", "active", None)
    await ledger.append(message(5), receipt, Effects(roster=pushed))
    # P3 is imported as of another day; P4 is not on the roster; P0 and P5 are not closed
    await ledger.import_roster([row("P0", AS_OF), row("P1", AS_OF), row("P5", AS_OF)])
    await ledger.import_roster([row("P3", LATER)])
    await ledger.import_roster([row("P2", AS_OF)])  # older than the pushed entry: kept

    assert await ledger.closed_imported(AS_OF) == ["P1"]

    # P6 jailed, P7 missing (confirmed: suspended), P8's imprisonment still open, P9's
    # death confirmed with no closure (confirmed under another's): only P6 and P7 join P1
    tasks = [task("P6", "imprisonment", "confirmed"), task("P7", "missing", "confirmed")]
    tasks += [task("P8", "imprisonment", "open"), task("P9", "death", "confirmed")]
    await ledger.append(message(6), receipt, Effects(tasks=tuple(tasks)))
    await ledger.import_roster([row(p, AS_OF) for p in ("P6", "P7", "P8", "P9")])
    assert await ledger.closed_imported(AS_OF) == ["P1", "P6", "P7"]
    assert await ledger.closed_imported(LATER) == ["P3"]
    assert await ledger.closed_imported("2026-10-31T00:00:00+08:00") == []


def test_sqlite_reads_the_closed_benefits_and_looks_their_entries_up(tmp_path: Path) -> None:
    """5,000 roster entries, 2 closed benefits, 5,000 tasks (3,000 confirmed), statistics
    gathered: SQLite scans the closed benefits and the confirmed tasks' index and searches
    the roster by key — never a scan of the roster (millions of entries) with a look-up a
    row."""
    conn = sqlite3.connect(tmp_path / "plan.sqlite3")
    conn.executescript(
        "CREATE TABLE roster (person_id TEXT PRIMARY KEY, as_of TEXT NOT NULL,"
        " snapshot BLOB NOT NULL, sequence BIGINT NOT NULL);"
        "CREATE TABLE closed_benefits (person_id TEXT PRIMARY KEY, reason TEXT NOT NULL,"
        " task_id TEXT NOT NULL, sequence BIGINT NOT NULL);"
        "CREATE TABLE tasks (task_id TEXT PRIMARY KEY, person_id TEXT NOT NULL,"
        " kind TEXT NOT NULL, status TEXT NOT NULL, changed_seq BIGINT NOT NULL);"
        "CREATE INDEX tasks_confirmed ON tasks (person_id, changed_seq)"
        " WHERE status = 'confirmed';"
    )
    rows = [(f"P{n:06d}", AS_OF, b"", 0) for n in range(5000)]
    conn.executemany("INSERT INTO roster VALUES (?,?,?,?)", rows)
    conn.executemany("INSERT INTO closed_benefits VALUES (?,?,?,?)", rows[:2])
    kinds = ("imprisonment", "death")
    tasks = [
        (f"t{n}", f"P{n:06d}", kinds[n % 2], "confirmed" if n < 3000 else "open", n)
        for n in range(5000)
    ]
    conn.executemany("INSERT INTO tasks VALUES (?,?,?,?,?)", tasks)
    conn.execute("ANALYZE")
    plan = [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {CLOSED_IMPORTED}", (AS_OF, AS_OF))]
    conn.close()
    assert plan == [
        "MERGE (UNION)",
        "LEFT",
        "SCAN c USING COVERING INDEX sqlite_autoindex_closed_benefits_1",
        "SEARCH r USING INDEX sqlite_autoindex_roster_1 (person_id=?)",
        "RIGHT",
        "SCAN t USING INDEX tasks_confirmed",
        "SEARCH r USING INDEX sqlite_autoindex_roster_1 (person_id=?)",
    ]
