# ruff: noqa: S608 -- SQL over the bench's own scratch ledger
"""Register at scale: the reminders and suspension sweeps' pages and the lists over HTTP.

    .venv/bin/python bench/register_scale.py [--rows 1000000] [--work DIR] [--database-url URL]

1. A roster of ``--rows`` pensioners (``bench/roster_import.py``'s generator:
   six counties, 300 villages each, 3% suspended since 2025-06-01) goes in
   through ``certhub roster import`` (a child process), into ``DIR/data``
   (SQLite) or a PostgreSQL database ``DIR`` names (``--database-url``: the
   server; the database is made once and kept for ``--reuse``).
2. The register is *planted* as a year of certifications would leave it
   (one SQL statement, no ledger records): 2% never certified, 4% overdue
   (due 1-4 months ago), the rest due this month or one of the next 11, each
   with its passed certification in ``register_certifications``.
3. Measured on the ledger the hub opens (so the current schema steps run on
   it first), per page at the cursor's start, middle and end:

   - the reminders sweep's page query (``reminders_due``, 500 a page) and the
     overdue -> suspension-proposal sweep's (``register_page`` overdue, 500 a
     page, with the per-page ``liable_after``), every page, without the writes
     (a reminder is a notice, a proposal a signed ledger record: the writes
     are each sweep's own, measured elsewhere);
   - the readers' lists over HTTP (a hub on 127.0.0.1, a province read token,
     100 a page): due, overdue, suspended, long-suspended, for the province,
     a county and a village; the summary.

   The plan of each query is printed (SQLite ``EXPLAIN QUERY PLAN``,
   PostgreSQL ``EXPLAIN``). Run it once on the code before a change and once
   after, on the same ``--work`` folder with ``--reuse``, to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp.test_utils import TestServer
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from register_scale_plans import print_plans
from roster_import import run_import, write_roster
from scratch_db import admin

from certhub.hub.core.keys import CURSORS, STORE
from certhub.hub.core.settings import Settings
from certhub.hub.register.lists import person_key
from certhub.hub.register.suspensions import liable_after
from certhub.hub.rules.months import month_index
from certhub.hub.runtime.app import create_app
from certhub.hub.store.register_reads import RegisterList, RegisterQuery
from certhub.security import SigningKey, TrustStore, issue_read_token

ON = date(2026, 12, 7)
MONTH = month_index(ON)
COUNTY, VILLAGE = "440103", "440103000006"
SWEEP_PAGE, LIST_PAGE = 500, 100

# bucket 0..99 of a person, spread over birth day and sequence number of the ID
_BUCKET = (
    "((CAST(substr(person_id, 7, 8) AS INTEGER) + CAST(substr(person_id, 15, 3) AS INTEGER) * 7)"
    " % 100)"
)
_DUE = (
    f"CASE WHEN {_BUCKET} < 2 THEN NULL WHEN {_BUCKET} < 6 THEN {MONTH} - ({_BUCKET} - 1)"
    f" ELSE {MONTH} + {_BUCKET} % 12 END"
)
_PLANT = {
    "sqlite": [
        f"UPDATE register_people SET due_month = {_DUE}",
        "UPDATE register_people SET record_month = due_month - 12,"
        " last_on = printf('%04d-%02d-15', (due_month - 12) / 12, (due_month - 12) % 12 + 1),"
        " last_method = 'face', last_channel = 'app_12333', last_sequence = rowid,"
        " record_sequence = rowid WHERE due_month IS NOT NULL",
    ],
    "postgres": [
        f"UPDATE register_people SET due_month = {_DUE}",
        "UPDATE register_people AS p SET record_month = due_month - 12,"
        " last_on = format('%s-%s-15', (due_month - 12) / 12, lpad(((due_month - 12) % 12 + 1)"
        "::text, 2, '0')), last_method = 'face', last_channel = 'app_12333',"
        " last_sequence = n.n, record_sequence = n.n FROM (SELECT person_id,"
        " row_number() OVER (ORDER BY person_id) AS n FROM register_people) AS n"
        " WHERE n.person_id = p.person_id AND p.due_month IS NOT NULL",
    ],
}
_CERTIFICATIONS = (
    "INSERT INTO register_certifications (sequence, person_id, certified_on, month, method,"
    " channel, of_record) SELECT last_sequence, person_id, last_on, record_month, 'face',"
    " 'app_12333', last_sequence FROM register_people WHERE last_sequence IS NOT NULL"
)


def plant(data: Path, url: str | None) -> None:
    """Give the imported roster the due months and certifications of a year."""
    statements = [*_PLANT["postgres" if url else "sqlite"], _CERTIFICATIONS]
    if url is None:
        with sqlite3.connect(data / "ledger.sqlite3") as db:
            for sql in statements:
                db.execute(sql)
        return

    async def on_postgres() -> None:
        conn = await asyncpg.connect(url)
        try:
            for sql in statements:
                await conn.execute(sql)
            await conn.execute("ANALYZE")  # as autovacuum would soon after such an update
        finally:
            await conn.close()

    asyncio.run(on_postgres())


async def timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """Milliseconds ``call`` took, and what it returned."""
    began = time.perf_counter()
    result = await call()
    return (time.perf_counter() - began) * 1000, result


async def _ids(store: Any, where: str) -> list[str]:
    rows = await store._read(f"SELECT person_id FROM register_people WHERE {where} ORDER BY 1", ())
    return [str(r[0]) for r in rows]


async def sweep(
    page: Callable[[str], Awaitable[list[Any]]], members: list[str], budget: float
) -> str:
    """A sweep's pages of SWEEP_PAGE at its start, middle and end (three each, their cursors
    taken from ``members``, the list in ID-number order); then every page in order, as the
    sweep reads them, unless the sampled pages say that would take over ``budget`` seconds."""
    pages = len(members) // SWEEP_PAGE + 1
    cursors = [""] + [members[i * SWEEP_PAGE - 1] for i in range(1, pages)]
    sampled: list[list[float]] = []
    cpu = time.process_time()
    for at in (0, pages // 2, max(pages - 3, 0)):
        sampled.append([(await timed(lambda c=c: page(c)))[0] for c in cursors[at : at + 3]])
    cpu_page = (time.process_time() - cpu) / 9 * 1000  # this process: SQLite's reads, not PG's
    start, middle, end = (statistics.median(s) for s in sampled)
    line = f"{pages:5d} pages  start {start:8.1f} ms  middle {middle:8.1f} ms  end {end:8.1f} ms"
    line += f"  (CPU {cpu_page:6.1f} ms a page)"
    estimate = pages * statistics.mean(start for start in (start, middle, end)) / 1000
    if estimate > budget:
        return line + f"  whole sweep ~{estimate:7.1f} s (estimated: pages x mean)"
    began, cpu, after, count = time.perf_counter(), time.process_time(), "", 0
    while True:
        rows = await page(after)
        count += 1
        if len(rows) < SWEEP_PAGE:
            took, cpu = time.perf_counter() - began, time.process_time() - cpu
            return line + f"  whole sweep {took:7.2f} s, CPU {cpu:6.2f} s ({count} pages)"
        after = rows[-1].person_id


def reminders_page(store: Any) -> Callable[[str], Awaitable[list[Any]]]:
    """One page of the reminders sweep (``ReminderSweep.sweep`` without the writes)."""

    async def page(after: str) -> list[Any]:
        rows = await store.reminders_due(MONTH, 2, after, SWEEP_PAGE)
        await liable_after(store, rows, 0)
        return list(rows)

    return page


def proposals_page(store: Any) -> Callable[[str], Awaitable[list[Any]]]:
    """One page of the suspension-proposal sweep (``ProposalSweep.sweep`` without the writes)."""

    async def page(after: str) -> list[Any]:
        query = RegisterQuery(RegisterList.OVERDUE, after=after, limit=SWEEP_PAGE, month_from=MONTH)
        rows = await store.register_page(query)
        await liable_after(store, rows, 0)
        return list(rows)

    return page


_MEMBERS = {  # who is on each list here (no closures, holds or restorations are planted)
    "due": f"roster_status = 'active' AND due_month >= {MONTH} AND due_month <= {MONTH + 2}",
    "overdue": f"roster_status = 'active' AND (due_month IS NULL OR due_month < {MONTH})",
    "suspended": "roster_status = 'suspended'",
    "long-suspended": "roster_status = 'suspended' AND suspended_since < '2025-12-07'",
}


async def list_pages(http: aiohttp.ClientSession, base: str, app: Any, token: str) -> None:
    """Time a page of each list at the cursor's start, middle and end; then the summary."""
    store: Any = app[STORE]
    for name, members in _MEMBERS.items():
        for area in (None, COUNTY, VILLAGE):
            where = members + (f" AND area >= '{area}' AND area < '{area}:'" if area else "")
            ids = [
                str(r[0])
                for r in await store._read(
                    f"SELECT person_id FROM register_people WHERE {where} ORDER BY person_id", ()
                )
            ]
            if name == "due":  # the due list runs month by month: its cursors carry the month
                keyed = [(due - MONTH, pid) for pid, due in await _due_of(store, where)]
                keys = [off * 11 * 10**17 + person_key(pid) for off, pid in keyed]
            else:
                keys = [person_key(pid) for pid in ids]
            marks = [0] + [
                keys[i] for i in (len(keys) // 2, max(len(keys) - LIST_PAGE - 1, 0)) if keys
            ]
            times = []
            for key in marks:
                cursor = app[CURSORS].encode(f"register-{name.replace('-', '_')}", key)
                params = {"on": ON.isoformat(), "limit": str(LIST_PAGE), "after": cursor}
                if area:
                    params["area"] = area
                ms, _ = await timed(
                    lambda p=params, n=name: _get(http, f"{base}/v1/register/{n}", p, token)
                )
                times.append(ms)
            shown = " ".join(f"{t:8.1f}" for t in times)
            print(
                f"  {name:15s} {area or 'province':13s} {len(ids):8,d} listed  "
                f"start/middle/end ms {shown}"
            )
    for area in (None, COUNTY, VILLAGE):
        params = {"on": ON.isoformat(), **({"area": area} if area else {})}
        ms, _ = await timed(lambda p=params: _get(http, f"{base}/v1/register/summary", p, token))
        print(f"  summary         {area or 'province':13s} {ms:8.1f} ms")


async def _due_of(store: Any, where: str) -> list[tuple[str, int]]:
    rows = await store._read(
        f"SELECT person_id, due_month FROM register_people WHERE {where}"
        " ORDER BY due_month, person_id",
        (),
    )
    return [(str(r[0]), int(r[1])) for r in rows]


async def _get(http: aiohttp.ClientSession, url: str, params: dict[str, str], token: str) -> Any:
    async with http.get(url, params=params, headers={"Authorization": f"Bearer {token}"}) as r:
        body = await r.json()
        if r.status != 200:
            raise SystemExit(f"{url}: {r.status} {body}")
        return body


async def measure(settings: Settings, key: SigningKey, budget: float) -> None:
    """Plans, both sweeps, then the lists over HTTP, on a hub opened on the ledger."""
    app = create_app(settings, registry=CollectorRegistry())
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    store: Any = app[STORE]
    try:
        await print_plans(store, MONTH)
        due = f"roster_status = 'active' AND due_month IN ({MONTH}, {MONTH + 1})"
        print("reminders sweep (query + liable_after, 500 a page):")
        print("  " + await sweep(reminders_page(store), await _ids(store, due), budget))
        print("suspension-proposal sweep (overdue query + liable_after, 500 a page):")
        overdue = await _ids(store, _MEMBERS["overdue"])
        print("  " + await sweep(proposals_page(store), overdue, budget))
        print("lists over HTTP (100 a page):")
        token = issue_read_token(key, sender="province")
        async with aiohttp.ClientSession() as http:
            await list_pages(http, str(server.make_url("")).rstrip("/"), app, token)
    finally:
        await server.close()


def main() -> None:
    """Import and plant unless ``--reuse``; measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "certhub-bench-register"
    )
    parser.add_argument("--database-url", help="the PostgreSQL server (default: SQLite)")
    parser.add_argument(
        "--budget", type=float, default=120.0, help="longest whole sweep run (s); else estimated"
    )
    parser.add_argument("--reuse", action="store_true", help="measure the ledger already there")
    args = parser.parse_args()
    work: Path = args.work
    data = work / ("pgdata" if args.database_url else "data")
    url = None
    if args.database_url:
        url = args.database_url.rsplit("/", 1)[0] + "/certhub_bench_register"
    key = SigningKey.generate()
    settings = Settings(data_dir=data, database_url=SecretStr(url) if url else None)
    if not args.reuse:
        work.mkdir(parents=True, exist_ok=True)
        csv = work / "roster.csv"
        if not csv.exists():
            write_roster(csv, args.rows)
        if url:
            asyncio.run(
                admin(args.database_url, 'DROP DATABASE IF EXISTS "certhub_bench_register"')
            )
            asyncio.run(admin(args.database_url, 'CREATE DATABASE "certhub_bench_register"'))
        seconds, _, line = run_import(csv, data, url)
        print(f"imported in {seconds:.1f} s: {line}")
        plant(data, url)
    TrustStore.empty().add(key.public_jwk(), sender="province", may_send=[], may_read=True).save(
        settings.trust_store_path
    )
    asyncio.run(measure(settings, key, args.budget))


if __name__ == "__main__":
    sys.exit(main())
