"""Query plans and schema rewinds for store tests of an index, on both backends.

A test of a query's plan first captures the queries a store sends (:func:`queries_sent`).
A test of an index asks the backend how it runs a read (:func:`query_plan`, checked by
:func:`assert_read_through`) and rewinds a ledger to before the schema step that adds the
index (:func:`rewind`, on a new ledger :func:`before_the_step`): the step's index and those
of the later steps dropped, their versions forgotten, so that opening runs them again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from ledger_backends import Backend

from certhub.hub.store.tables import LADDER


def step_of(table: str) -> int:
    """The schema version of the ladder step that adds ``table`` alone (an index)."""
    return 1 + [step.tables for step in LADDER].index((table,))


def created_name(statement: str) -> str:
    """The name a ``CREATE INDEX``/``CREATE TABLE`` statement gives, ``IF NOT EXISTS`` or not."""
    words = statement.split()
    return words[5] if [w.upper() for w in words[2:5]] == ["IF", "NOT", "EXISTS"] else words[2]


def rewind(step: int) -> list[str]:
    """SQL putting a ledger back before schema version ``step``: the indexes and tables of
    that step and of every step after it dropped (rewound, they all run again), their
    versions gone."""
    statements = [s for later in LADDER[step - 1 :] for s in later.statements("sqlite")]
    made = {
        kind: [created_name(s) for s in statements if s.upper().startswith(f"CREATE {kind}")]
        for kind in ("INDEX", "TABLE")
    }
    return [
        *(f"DROP INDEX {name}" for name in made["INDEX"]),
        *(f"DROP TABLE {name}" for name in reversed(made["TABLE"])),
        f"DELETE FROM schema_version WHERE version >= {step}",  # noqa: S608 (a number)
    ]


async def before_the_step(backend: Backend, step: int, *changes: str) -> None:
    """A new ledger at ``backend``, ``changes`` (raw SQL) made in it, put back before schema
    version ``step`` (:func:`rewind`): opening it next runs that step and the later ones."""
    await backend.create()
    await backend.execute(*changes, *rewind(step))


async def query_plan(backend: Backend, sqlite_sql: str, postgres_sql: str, *args: str) -> str:
    """The backend's plan of the query (``sqlite_sql`` or ``postgres_sql`` with ``args``),
    PostgreSQL told to avoid a scan where it can: a few rows would otherwise be scanned,
    index or not."""
    if backend.name == "sqlite":
        with sqlite3.connect(backend.location) as db:
            rows = db.execute("EXPLAIN QUERY PLAN " + sqlite_sql, args).fetchall()
        return " ".join(str(row[-1]) for row in rows)
    conn = await asyncpg.connect(backend.location, timeout=10)
    try:
        await conn.execute("SET enable_seqscan = off")
        found = await conn.fetch("EXPLAIN " + postgres_sql, *args)
    finally:
        await conn.close()
    return " ".join(str(row[0]) for row in found)


async def assert_read_through(
    backend: Backend, plan: Callable[[Backend], Awaitable[str]], table: str, index: str
) -> None:
    """The read whose plan ``plan`` gives reads ``table`` through ``index``: PostgreSQL names
    the index, SQLite searches the table by ``person_id`` with it (else fails, showing it)."""
    found = await plan(backend)
    assert index in found, found
    if backend.name == "sqlite":
        assert f"SEARCH {table} USING INDEX {index} (person_id=?)" in found, found


async def queries_sent(store: Any, call: Callable[[], Awaitable[Any]]) -> list[tuple[str, Any]]:
    """The queries (SQL, parameters) ``call`` sent through ``store``'s ``_read``, in order;
    the class's own ``_read`` again afterwards."""
    sent: list[tuple[str, Any]] = []
    original = store._read

    async def recording(sql: str, params: tuple[Any, ...]) -> list[tuple[object, ...]]:
        sent.append((sql, params))
        rows: list[tuple[object, ...]] = await original(sql, params)
        return rows

    store._read = recording
    try:
        await call()
    finally:
        del store._read
    return sent
