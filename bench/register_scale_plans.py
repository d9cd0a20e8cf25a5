"""The plans of the register's page queries, as the store sends them (``register_scale.py``).

Each query is captured as the store issues it (its SQL and parameters, read
through the store's own ``_read`` by the store tests' ``plankit.queries_sent``) and
explained on the same ledger: SQLite's ``EXPLAIN QUERY PLAN`` (the outer query's
steps, and any full ``SCAN``), PostgreSQL's ``EXPLAIN ANALYZE`` (the scans, sorts
and the time).
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from certhub.hub.store.register_reads import RegisterList, RegisterQuery

# The capture of a store's queries is the store tests' own (tests/support/plankit.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))

from plankit import queries_sent

_PG_KEPT = ("Scan on register_people", "Scan using", "Sort", "Limit", "Execution Time", "Seq Scan")


async def explain(store: Any, sql: str, params: tuple[Any, ...]) -> list[str]:
    """The plan lines worth reading of one query."""
    if type(store).__name__.startswith("Postgres"):
        rows = await store._read("EXPLAIN ANALYZE " + sql, params)
        return [str(r[0]) for r in rows if any(k in str(r[0]) for k in _PG_KEPT)]
    rows = await store._read("EXPLAIN QUERY PLAN " + sql, params)
    return [str(r[3]) for r in rows if r[1] == 0 or "SCAN" in str(r[3])]


async def print_plans(store: Any, month: int, after: str = "440305") -> None:
    """The plan of each page query the sweeps and lists make, from the middle of the roster."""
    asks: dict[str, Callable[[], Awaitable[Any]]] = {
        "reminders_due": lambda: store.reminders_due(month, 2, after, 500),
    }
    for kind in RegisterList:
        for area in (None, "440103"):
            if kind is RegisterList.PEOPLE and area is None:
                continue
            query = RegisterQuery(
                kind, after=after, limit=101, area=area, month_from=month, before="2025-12-07"
            )
            asks[f"{kind.value} {area or 'province'}"] = lambda q=query: store.register_page(q)
    asks["summary province"] = lambda: store.register_summary(month, "2025-12-07", None)
    for name, ask in asks.items():
        for sql, params in await queries_sent(store, ask):
            if "FROM register_people WHERE" not in sql and "ledger AS rl" not in sql:
                continue  # the hub's own background reads (metrics), not this one
            print(f"plan {name}:")
            for line in await explain(store, sql, params):
                print(f"    {line}")
