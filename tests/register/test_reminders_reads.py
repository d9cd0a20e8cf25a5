# ruff: noqa: S608 -- raw SQL of the test's own register rows, no input from outside
"""The reminders sweep reads only the people it can remind, and the same people as before.

Before, each page of the sweep walked every active pensioner in ID-number order (the
roster-status index) and kept the ~1 in 6 with a reminder slot open: at a million, a
sweep read a million rows (bench/README.md "Register at scale"). Now each due month of the
window is one keyset range of the (due month, ID number) index, and the people past their
due month whom a verification may have held are found by their reports; the groups are
merged into the same pages, in the same order.

The same people: a register of every kind of row the sweep must tell apart (due this month,
the next ones, the month after the window, overdue, never certified; active, suspended,
terminated, off the roster; each reminder count; a benefit the hub closed; a hold reported,
verified now or not) gives, page by page, what the statement before this change gave.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from ledger_backends import Backend
from plankit import queries_sent

from certhub.hub.store.register_reads import (
    _PERSON,
    _REMINDED,
    UNDER_VERIFICATION,
    PersonRegister,
)
from certhub.hub.store.rows import row_as

MONTH = 2026 * 12 + 11  # December 2026
# the statement before (schema version 23): every active person tested, in ID-number order
BEFORE = (
    _PERSON + f" WHERE {_REMINDED} AND NOT {UNDER_VERIFICATION} AND ((due_month >= ?"
    " AND due_month <= ? AND (reminded_for IS NULL OR reminded_for <> due_month"
    " OR reminders < ? - due_month))"
    " OR (due_month < ? AND (reminded_for IS NULL OR reminded_for <> due_month"
    " OR reminders < ?) AND EXISTS (SELECT 1 FROM ledger AS hl"
    " WHERE hl.person_id = register_people.person_id"
    " AND hl.message_type = 'eligibility_report/v1'"
    " AND hl.reason IN ('death', 'imprisonment', 'loss_of_nationality', 'missing'))))"
    " AND person_id > ? ORDER BY person_id LIMIT ?"
)
DUES = (None, MONTH - 13, MONTH - 2, MONTH - 1, MONTH, MONTH + 1, MONTH + 2, MONTH + 3)
STATUSES = ("active", "suspended", "terminated", None)
# nothing reminded; once or twice for the due month; once for an earlier one
COUNTS = ((None, 0), (0, 1), (0, 2), (-12, 1))
# no report; a hold reported and rejected; a hold under review (its item received); a
# hold whose task is open; a report that holds nothing (a move)
REPORTS = (None, ("death", "rejected"), ("missing", "received"), ("death", "task"), ("moved", ""))


def _text(value: object) -> str:
    return "NULL" if value is None else f"'{value}'"


def register(closed_every: int = 5) -> list[str]:
    """Raw SQL for a register of every combination of :data:`DUES`, :data:`STATUSES`,
    :data:`COUNTS` and :data:`REPORTS`, every ``closed_every``-th benefit closed by the hub."""
    statements: list[str] = []
    combos = itertools.product(DUES, STATUSES, COUNTS, REPORTS)
    for n, (due, status, (offset, count), report) in enumerate(combos):
        person = f"4401031940{n:07d}X"
        reminded = None if offset is None or due is None else due + offset
        statements.append(
            "INSERT INTO register_people (person_id, area, name, roster_status, due_month,"
            f" reminded_for, reminders) VALUES ('{person}', '440103001002', 'N', {_text(status)},"
            f" {_text(due)}, {_text(reminded)}, {count})"
        )
        if n % closed_every == 0:
            statements.append(
                f"INSERT INTO closed_benefits VALUES ('{person}', 'death', 'task-c{n}', {n + 1})"
            )
        if report is not None:
            statements += _report(n + 100_000, person, *report)
    return statements


def _report(sequence: int, person: str, reason: str, state: str) -> list[str]:
    """A report of ``reason`` of ``person``: its item in ``state``, or its task open."""
    made = [
        "INSERT INTO ledger (sequence, kind, message_type, sender, message_id, kid, sha256,"
        " jws, payload, received_at, receipt, reason, person_id) VALUES"
        f" ({sequence}, 'report', 'eligibility_report/v1', 's', 'r{sequence}', 'k', 'x', '',"
        f" '', '2026-10-01T00:00:00+00:00', '', '{reason}', '{person}')"
    ]
    if state == "task":
        made.append(
            "INSERT INTO tasks VALUES"
            f" ('task-{sequence}', '{person}', '{reason}', 'open', '440103', NULL, '', 0,"
            f" {sequence})"
        )
    elif state:
        made.append(
            f"INSERT INTO items (item_id, kind, status) VALUES ({sequence}, 'report', '{state}')"
        )
    return made


async def test_the_sweep_reads_the_same_people_page_by_page_as_before(
    ledger_factory: Backend,
) -> None:
    await ledger_factory.create()
    await ledger_factory.execute(*register())
    ledger: Any = await ledger_factory.open()
    try:
        for month, per_cycle in itertools.product((MONTH - 1, MONTH, MONTH + 1), range(4)):
            after, pages, people = "", 0, 0
            while True:  # pages of 7: the groups merged across page ends
                page = await ledger.reminders_due(month, per_cycle, after, 7)
                before = await ledger._read(
                    BEFORE,
                    (month, month + per_cycle - 1, month + per_cycle, month, per_cycle, after, 7),
                )
                assert page == [row_as(PersonRegister, row) for row in before], (month, after)
                pages, people = pages + 1, people + len(page)
                if len(page) < 7:
                    break
                after = page[-1].person_id
            if per_cycle:  # the register holds some of each window's people
                assert people > 7, (month, per_cycle)
    finally:
        await ledger.aclose()


async def test_the_sweep_reads_no_one_outside_the_due_months_and_the_held(
    ledger_factory: Backend,
) -> None:
    """2,000 active people due after the window (or overdue with nothing reported), 24 due
    in it: the sweep's statement reads no register row of the 2,000 (PostgreSQL: the rows
    its plan read, counted; SQLite, which has no statistics and so plans alike on any
    ledger: every read of the register is a range of the due-month index or by key)."""
    await ledger_factory.create()
    far = [MONTH + 2 + n % 10 if n % 4 else MONTH - 1 - n % 3 for n in range(2000)]
    due = [MONTH + n % 2 for n in range(24)]
    people = ", ".join(
        f"('4401031950{n:07d}X', 'active', {month})" for n, month in enumerate(far + due)
    )
    await ledger_factory.execute(
        f"INSERT INTO register_people (person_id, roster_status, due_month) VALUES {people}",
        *(["ANALYZE register_people"] if ledger_factory.name == "postgres" else []),
    )
    ledger: Any = await ledger_factory.open()
    try:
        assert len(await ledger.reminders_due(MONTH, 2, "", 500)) == 24
        sent = await queries_sent(ledger, lambda: ledger.reminders_due(MONTH, 2, "", 500))
        (sql, params) = next(s for s in sent if "FROM register_people" in s[0])
        if ledger_factory.name == "sqlite":
            plan = await ledger._read("EXPLAIN QUERY PLAN " + sql, params)
            reads = [str(r[3]) for r in plan if "register_people" in str(r[3])]
            due_ranges = [r for r in reads if "register_people_due (due_month=? AND" in r]
            assert len(due_ranges) == 2, reads  # the window's two months
            by_key = "SEARCH register_people USING INDEX sqlite_autoindex_register_people_1"
            assert all(r in due_ranges or r.startswith(by_key) for r in reads), reads
            return
        plan = await ledger._read("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        read_rows = _register_rows(json.loads(str(plan[0][0]))[0]["Plan"])
        # the 24 read by their month's range, then by key for their columns; before: 2,024
        assert read_rows <= 2 * 24, read_rows
    finally:
        await ledger.aclose()


def _register_rows(node: dict[str, Any]) -> int:
    """The register rows a PostgreSQL plan read: returned or filtered out, every loop."""
    rows = 0
    if node.get("Relation Name") == "register_people":
        loops = int(node.get("Actual Loops", 1))
        rows += loops * (int(node["Actual Rows"]) + int(node.get("Rows Removed by Filter", 0)))
    return rows + sum(_register_rows(child) for child in node.get("Plans", []))
