"""A ledger from before schema version 19, holding a roster entry its sender stamped in UTC (as
``POST /v1/roster`` stored it before c10a9b2), opens with the entry's ``as_of`` in China time,
so the entries pushed after it are ordered by their instant, on SQLite and PostgreSQL.

238.00 a month, months counted from this month (China time), ``T`` three hours ago:

- the stored entry: paid through ``M(-1)``, stamped ``T`` in UTC;
- an older entry, paid through ``M(-3)`` and stamped an hour before ``T`` in China time,
  arrives late: not stored. A death on the 15th of ``M(-3)`` confirmed: ``M(-2)..M(-1)`` =
  476.00 overpaid. Before the step the older entry's text (``T+7h``) sorted after the stored
  UTC stamp, replaced the entry, and the death recovered nothing (476.00 lost);
- the province's next entry, paid through ``M(0)`` and stamped an hour after ``T`` in China
  time: stored, ``M(0)`` added, 714.00.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta

import asyncpg
from importkit import Client, reopened
from procedurekit import Office, month_day
from releasekit import balance, label

from certhub.hub.store.roster_stamps import AS_OF_COLUMNS
from certhub.hub.store.tables import LADDER
from certhub.schemas.clock import CHINA_STANDARD_TIME

STEP = 1 + [step.rewrites for step in LADDER].index(AS_OF_COLUMNS)
# The indexes the steps after it made: dropped with their schema_version rows, so the
# ledger is as version STEP - 1 left it and every later step runs again as it opens.
LATER_INDEXES = [
    match[1]
    for step in LADDER[STEP:]
    for table in step.tables
    for match in re.finditer(r"CREATE INDEX (?:IF NOT EXISTS )?(\w+)", table)
]


async def behind_the_ledger(office: Office, url: str | None, *statements: str) -> list[str]:
    """Run ``statements`` on the stopped hub's ledger; the first column of the last's rows."""
    if url is None:
        with sqlite3.connect(office.settings.ledger_path) as db:
            rows = [db.execute(sql).fetchall() for sql in statements][-1]
        return [str(row[0]) for row in rows]
    conn = await asyncpg.connect(url, timeout=10)
    try:
        found = [await conn.fetch(sql) for sql in statements][-1]
    finally:
        await conn.close()
    return [str(row[0]) for row in found]


async def test_an_older_entry_in_china_time_no_longer_replaces_a_stored_utc_one(
    office_on_ledger: Office, ledger_url: str | None, aiohttp_client: Client
) -> None:
    office = office_on_ledger
    person, other = office.people.person(), office.people.person()
    stamped = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
    await office.roster(person, paid_through=label(-1), as_of=stamped.isoformat())
    fraction = stamped.replace(microsecond=250000)  # the other's: intake keeps the fraction
    await office.roster(other, paid_through=label(0), as_of=fraction.isoformat())
    await office.client.close()
    both = f"person_id IN ('{person['id_number']}', '{other['id_number']}')"
    stamps = (  # the test's own values in the SQL: no one else's
        f"SELECT as_of FROM roster WHERE {both} UNION ALL"  # noqa: S608
        f" SELECT roster_as_of FROM register_people WHERE {both} ORDER BY 1"
    )
    stored = await behind_the_ledger(office, ledger_url, stamps)  # intake's form, 2 x 2 rows
    assert stored == 2 * [stamped.astimezone(CHINA_STANDARD_TIME).isoformat()] + 2 * [
        fraction.astimezone(CHINA_STANDARD_TIME).isoformat()
    ]
    # the ledger as the hub left it before c10a9b2, at schema version 18: the sender's stamp
    legacy = f"CASE WHEN person_id = '{person['id_number']}' THEN '{stamped.isoformat()}'"
    legacy += f" ELSE '{fraction.isoformat()}' END"  # 2026-12-07T04:50:00.250000+00:00
    await behind_the_ledger(
        office,
        ledger_url,
        f"UPDATE roster SET as_of = {legacy} WHERE {both}",  # noqa: S608
        f"UPDATE register_people SET roster_as_of = {legacy} WHERE {both}",  # noqa: S608
        f"DELETE FROM schema_version WHERE version >= {STEP}",  # noqa: S608 (a number)
        *[f"DROP INDEX {name}" for name in LATER_INDEXES],
        stamps,
    )
    office = await reopened(office, aiohttp_client)  # migrated as it opens

    older = (stamped - timedelta(hours=1)).astimezone(CHINA_STANDARD_TIME)
    await office.roster(person, paid_through=label(-3), as_of=older.isoformat())
    task = await office.confirmed_death(person, month_day(-3, 15))
    assert await balance(office, task) == (2, "476.00", "0.00", "476.00", "pending")

    later = (stamped + timedelta(hours=1)).astimezone(CHINA_STANDARD_TIME)
    await office.roster(person, paid_through=label(0), as_of=later.isoformat())
    assert await balance(office, task) == (3, "714.00", "0.00", "714.00", "pending")
    await office.client.close()
    # the other entry, untouched since: byte for byte as intake stores it now
    other_only = stamps.replace(both, f"person_id = '{other['id_number']}'")
    assert await behind_the_ledger(office, ledger_url, other_only) == stored[2:]
