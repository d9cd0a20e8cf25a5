"""Schema version 19 (``hub/store/roster_stamps.py``): a ledger from before it opens with every
stored roster ``as_of`` — the roster's and the register's copy — the same instant in China
time, in the form intake stores; stamps already in China time and people the roster never
named are left as they were, and running the step again changes nothing (both backends)."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest
from ledger_backends import Backend
from plankit import rewind

from certhub.hub.store import roster_stamps
from certhub.hub.store.roster_stamps import AS_OF_COLUMNS
from certhub.hub.store.tables import LADDER

STEP = 1 + [step.rewrites for step in LADDER].index(AS_OF_COLUMNS)

STORED = {  # as the old intake kept them (its sender's offset) and as an import stamps them
    "P1": "2026-12-07T06:50:00+00:00",
    "P2": "2026-12-06T20:30:00.250000-05:00",
    "P3": "2026-12-07T14:50:00+08:00",
    "P4": "2026-11-30T23:59:59.000001+00:00",
    "P5": "2026-12-01T00:00:00+05:30",
}
CHINA = {
    "P1": "2026-12-07T14:50:00+08:00",
    "P2": "2026-12-07T09:30:00.250000+08:00",
    "P3": "2026-12-07T14:50:00+08:00",
    "P4": "2026-12-01T07:59:59.000001+08:00",
    "P5": "2026-12-01T02:30:00+08:00",
}


def legacy_rows() -> list[str]:
    """The roster and register rows of :data:`STORED`, and a register row of a person only
    certified (no ``as_of``)."""
    rows = [
        "INSERT INTO register_people (person_id, name) VALUES ('P0', 'certified only')",
    ]
    roster = "INSERT INTO roster (person_id, as_of, snapshot, sequence) VALUES ('{}', '{}', {}, 0)"
    register = "INSERT INTO register_people (person_id, roster_as_of) VALUES ('{}', '{}')"
    for person, stamp in STORED.items():
        rows.append(roster.format(person, stamp, "CAST('{}' AS BLOB)"))
        rows.append(register.format(person, stamp))
    return rows


async def stamps(backend: Backend) -> tuple[dict[str, str], dict[str, str | None]]:
    """The roster's ``as_of`` and the register's ``roster_as_of`` by person."""
    roster = "SELECT person_id, as_of FROM roster ORDER BY 1"
    register = "SELECT person_id, roster_as_of FROM register_people ORDER BY 1"
    if backend.name == "sqlite":
        with sqlite3.connect(backend.location) as db:
            return dict(db.execute(roster).fetchall()), dict(db.execute(register).fetchall())
    conn = await asyncpg.connect(backend.location, timeout=10)
    try:
        found = [await conn.fetch(sql) for sql in (roster, register)]
    finally:
        await conn.close()
    return dict(map(tuple, found[0])), dict(map(tuple, found[1]))  # type: ignore[arg-type]


async def test_an_old_ledger_opens_with_every_as_of_in_china_time(
    ledger_factory: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(roster_stamps, "BATCH", 2)  # five people: three batches of keys
    await ledger_factory.create()
    pg = ledger_factory.name == "postgres"
    rows = [r.replace("CAST('{}' AS BLOB)", "'{}'::bytea") if pg else r for r in legacy_rows()]
    await ledger_factory.execute(*rows, *rewind(STEP))
    assert await stamps(ledger_factory) == (STORED, {"P0": None, **STORED})

    await (await ledger_factory.open()).aclose()
    assert await stamps(ledger_factory) == (CHINA, {"P0": None, **CHINA})

    await ledger_factory.execute(*rewind(STEP))  # the step again: nothing changes
    await (await ledger_factory.open()).aclose()
    assert await stamps(ledger_factory) == (CHINA, {"P0": None, **CHINA})


def test_a_stamp_without_an_offset_is_refused() -> None:
    """No writer stores one; were it there, its instant is unknown: the step fails, whole."""
    with pytest.raises(ValueError, match="without an offset"):
        roster_stamps.china_time("2026-12-07T06:50:00")
