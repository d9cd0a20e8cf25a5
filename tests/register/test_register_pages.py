"""Every page of a register list or sweep is one index range after its cursor, never a sort.

At a million pensioners a page that reads all of a list's people and sorts them costs
seconds, and a sweep of 500 a page pays it for every page: the reminders sweep read every
active pensioner for each of its ~300 pages (measured: 1.2-8.7 s a page on SQLite, about
24 minutes a sweep; bench/register_scale.py, bench/README.md "Register at scale"). Schema
step 21 (``register_tables.REGISTER_PAGES``) adds the indexes; the plans are pinned here on
SQLite (no statistics: its choice is the same on an empty ledger as on a full one), and the
upgrade on both backends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from ledger_backends import Backend
from plankit import queries_sent

from certhub.hub.store.postgres.schema import dollar
from certhub.hub.store.register_reads import RegisterList, RegisterQuery
from certhub.hub.store.tables import LADDER

MONTH = 2026 * 12 + 11  # December 2026
PAGE_INDEXES = (
    "register_people_status",
    "register_people_city",
    "register_people_county",
    "register_people_town",
    "register_people_village",
)
AREAS = {
    None: "register_people_status",  # the province: by roster status
    "4401": "register_people_city",  # a city reader's scope (AreaScope.prefix)
    "440103": "register_people_county",
    "440103001": "register_people_town",
    "440103001002": "register_people_village",
}


async def captured(store: Any, call: Callable[[], Awaitable[Any]]) -> list[tuple[str, Any]]:
    """The register queries ``call`` sent through the store's ``_read`` (SQL, parameters)."""
    sent = await queries_sent(store, call)
    return [(sql, params) for sql, params in sent if "FROM register_people WHERE" in sql]


async def plan_of(backend: Backend, ledger: Any, sql: str, params: Any) -> list[str]:
    """SQLite: the outer query's steps (EXPLAIN QUERY PLAN rows whose parent is the root);
    PostgreSQL: every line of EXPLAIN, told to avoid a scan where it can (an empty table
    would otherwise be scanned, index or not)."""
    if backend.name == "sqlite":
        rows = await ledger._read("EXPLAIN QUERY PLAN " + sql, params)
        return [str(row[3]) for row in rows if row[1] == 0]
    conn = await asyncpg.connect(backend.location, timeout=10)
    try:
        await conn.execute("SET enable_seqscan = off")
        found = await conn.fetch("EXPLAIN " + dollar(sql), *params)
    finally:
        await conn.close()
    return [str(row[0]) for row in found]


def assert_keyset(backend: Backend, plan: list[str], index: str, first: str) -> None:
    """The page is a range of ``index`` in ID-number order: no sort of the list's people."""
    if backend.name == "sqlite":
        assert plan[0] == f"SEARCH register_people USING INDEX {index} ({first}=? AND person_id>?)"
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
        return
    outer = [line for line in plan if "SubPlan" not in line and not line.startswith(" " * 8)]
    assert not any("Sort" in line for line in outer), plan
    if first == "<expr>":  # an area's page: its index, not the province's walked in order
        assert index in " ".join(plan), plan


def query(kind: RegisterList, area: str | None) -> RegisterQuery:
    """A page from the middle of the list (after a cursor), 101 rows, on 2026-12-07."""
    return RegisterQuery(
        kind,
        after="440103194001011234",
        limit=101,
        area=area,
        month_from=MONTH,
        before="2025-12-07",
    )


@pytest.mark.parametrize(
    "kind", [RegisterList.OVERDUE, RegisterList.SUSPENDED, RegisterList.LONG_SUSPENDED]
)
@pytest.mark.parametrize("area", list(AREAS))
async def test_a_list_page_is_a_range_of_the_status_or_area_index(
    ledger: Any, ledger_factory: Backend, kind: RegisterList, area: str | None
) -> None:
    sent = await captured(ledger, lambda: ledger.register_page(query(kind, area)))
    # the list's own query, and for the overdue list the people a restoration reads alive
    # (driven by the hub's few closures: coalesce keeps it off the status and area indexes)
    assert len(sent) == (2 if kind is RegisterList.OVERDUE else 1)
    plan = await plan_of(ledger_factory, ledger, *sent[0])
    first = "roster_status" if area is None else "<expr>"
    assert_keyset(ledger_factory, plan, AREAS[area], first)
    if kind is RegisterList.OVERDUE and ledger_factory.name == "sqlite":
        restoring = await plan_of(ledger_factory, ledger, *sent[1])
        assert not any(index in " ".join(restoring) for index in PAGE_INDEXES), restoring


@pytest.mark.parametrize("area", ["4401", "440103", "440103001", "440103001002"])
async def test_the_due_and_people_lists_of_an_area_are_a_range_of_its_index(
    ledger: Any, ledger_factory: Backend, area: str
) -> None:
    for kind in (RegisterList.DUE, RegisterList.PEOPLE):
        (sent,) = await captured(ledger, lambda k=kind: ledger.register_page(query(k, area)))
        plan = await plan_of(ledger_factory, ledger, *sent)
        assert_keyset(ledger_factory, plan, AREAS[area], "<expr>")


async def test_the_reminders_sweep_page_is_a_range_of_the_status_index(
    ledger: Any, ledger_factory: Backend
) -> None:
    (sent,) = await captured(ledger, lambda: ledger.reminders_due(MONTH, 2, "4401", 500))
    plan = await plan_of(ledger_factory, ledger, *sent)
    # before: every active pensioner read and sorted for each page of 500
    assert_keyset(ledger_factory, plan, "register_people_status", "roster_status")


async def test_a_ledger_at_version_20_gets_the_page_indexes_when_it_opens(
    ledger_factory: Backend,
) -> None:
    assert len(LADDER) >= 21
    await ledger_factory.create()
    await ledger_factory.execute(  # the ledger as version 20 left it
        *(f"DROP INDEX {index}" for index in PAGE_INDEXES),
        "CREATE INDEX register_people_suspended"
        " ON register_people (roster_status, suspended_since)",
        "DELETE FROM schema_version WHERE version > 20",
    )
    ledger = await ledger_factory.open()
    if ledger_factory.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE tbl_name = 'register_people'"
    else:
        sql = "SELECT indexname FROM pg_indexes WHERE tablename = 'register_people'"
    indexes = {str(row[0]) for row in await ledger._read(sql, ())}
    assert set(PAGE_INDEXES) <= indexes
    assert "register_people_suspended" not in indexes  # PostgreSQL sorted through it
    versions = await ledger._read("SELECT max(version) FROM schema_version", ())
    assert int(str(versions[0][0])) == len(LADDER)
    await ledger.aclose()
