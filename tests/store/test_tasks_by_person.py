"""On both backends: a person's confirmed tasks are read through an index by person
(``tasks_confirmed``), not a scan of every task — on a new ledger and on one from before
the schema step that adds it."""

from __future__ import annotations

import sqlite3

import asyncpg
from ledger_backends import Backend

from certhub.hub.store.queries import _TASK_SELECT  # the SQL confirmed_tasks runs
from certhub.hub.store.tables import LADDER, TASKS_CONFIRMED

STEP = 1 + [step.tables for step in LADDER].index((TASKS_CONFIRMED,))
# the step's index and those of the steps after it: rewound, they all run again
SINCE_STEP = [
    statement.split()[2]
    for step in LADDER[STEP - 1 :]
    for statement in step.statements("sqlite")
    if statement.upper().startswith("CREATE INDEX")
]

QUERY = _TASK_SELECT + " WHERE person_id={p} AND status='confirmed' ORDER BY changed_seq"


async def plan(backend: Backend) -> str:
    """The backend's query plan of ``confirmed_tasks`` (PostgreSQL told to avoid a scan
    where it can: a few rows would otherwise be scanned, index or not)."""
    if backend.name == "sqlite":
        with sqlite3.connect(backend.location) as db:
            rows = db.execute("EXPLAIN QUERY PLAN " + QUERY.format(p="?"), ("P1",)).fetchall()
        return " ".join(str(row[-1]) for row in rows)
    conn = await asyncpg.connect(backend.location, timeout=10)
    try:
        await conn.execute("SET enable_seqscan = off")
        rows = await conn.fetch("EXPLAIN " + QUERY.format(p="$1"), "P1")
    finally:
        await conn.close()
    return " ".join(str(row[0]) for row in rows)


async def test_confirmed_tasks_are_found_by_person_through_the_index(
    ledger_factory: Backend,
) -> None:
    await (await ledger_factory.open()).aclose()
    assert "tasks_confirmed" in await plan(ledger_factory)
    if ledger_factory.name == "sqlite":
        assert "SEARCH tasks USING INDEX tasks_confirmed (person_id=?)" in await plan(
            ledger_factory
        )


async def test_a_ledger_from_before_the_step_opens_with_the_index(
    ledger_factory: Backend,
) -> None:
    await (await ledger_factory.open()).aclose()
    await ledger_factory.execute(
        *(f"DROP INDEX {name}" for name in SINCE_STEP),
        f"DELETE FROM schema_version WHERE version >= {STEP}",  # noqa: S608 (a number)
    )
    assert "tasks_confirmed" not in await plan(ledger_factory)
    await (await ledger_factory.open()).aclose()
    assert "tasks_confirmed" in await plan(ledger_factory)
