"""``certhub roster import``: months a bulk roster shows paid after a death, an imprisonment
or a disappearance the hub confirmed are added to the task's overpayment, as a pushed roster
entry's are — never a month twice.

238.00 a month. Died on the 15th of ``M(-3)``, confirmed while the roster paid through
``M(-3)`` (the event's month is payable): nothing overpaid. The province's roster file,
imported in bulk, shows the person paid through ``M(-1)``: ``M(-2)..M(-1)`` = 2 x 238.00 =
476.00 overpaid (``overpayment:<task>``, signed by the hub); the same when the person was
jailed or went missing that day, the suspension standing. The same file again adds
nothing; a file naming no person whose benefit the hub closed leaves the ledger's money
alone. On SQLite and PostgreSQL. Before, the import wrote the roster past the planner and
the months were never recovered.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from latekit import label
from procedurekit import UNITS, Office, month_day, month_end, open_office
from registerkit import ROSTER_HEADER, roster_line

from certhub.hub.cli.main import main
from certhub.hub.store import RecordKind, SqliteLedger
from certhub.hub.store.postgres import PostgresLedger
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.security import SigningKey


def _now() -> datetime:
    return datetime.now(CHINA_STANDARD_TIME).replace(microsecond=0)


def line(person: dict[str, Any], paid_through: str) -> str:
    """The roster file's line of ``person``: 238.00 a month, paid through ``paid_through``."""
    region = person["region"]
    return (
        f"{person['id_number']},{person['name']},{region['county']},{region['village']},"
        f"active,238.00,{paid_through},,************1234,13800138000"
    )


def imported(path: Path, data: Path, url: str | None, lines: list[str]) -> int:
    """``certhub roster import`` of a file of ``lines`` into the ledger (``data``, or ``url``)."""
    path.write_text("\n".join([ROSTER_HEADER, *lines]) + "\n", encoding="utf-8")
    argv = ["roster", "import", str(path), "--data", str(data), "--as-of", _now().isoformat()]
    return main(argv + (["--database-url", url] if url else []))


async def money(data: Path, url: str | None, task: str) -> tuple[Any, dict[str, Any]]:
    """The task's balance (months, amount and recovered in cents, status) and the hub's
    overpayment records of it (by message id: from, to, months, amount)."""
    ledger: Any = await (
        PostgresLedger.open(url) if url else SqliteLedger.open_read_only(data / "ledger.sqlite3")
    )
    try:
        row = await ledger.get_overpayment(task)
        outcomes = await ledger.page(RecordKind.OUTCOME, 0, 1000)
    finally:
        await ledger.aclose()
    balance = (
        None if row is None else (row.months, row.amount_cents, row.recovered_cents, row.status)
    )
    signed = {}
    for record in outcomes:
        p = json.loads(record.payload)
        if record.message_type == "overpayment/v1" and p["task_id"] == task:
            signed[record.message_id] = (p["period_from"], p["period_to"], p["months"], p["amount"])
    return balance, signed


async def dead_and_confirmed(
    aiohttp_client: Callable[..., Any],
    data: Path,
    keys: dict[str, SigningKey],
    url: str | None = None,
    reason: str = "death",
) -> tuple[Office, dict[str, Any], str]:
    """A hub where a person paid through ``M(-3)`` died (``reason``: was jailed, went
    missing) on the 15th of ``M(-3)``, confirmed (no end of sentence stated): the person and
    the task; the hub stopped (on SQLite the import owns the ledger)."""
    office = await open_office(aiohttp_client, data, keys, units=UNITS, database_url=url)
    person = office.people.person()
    yesterday = (_now() - timedelta(days=1)).isoformat()
    await office.roster(person, paid_through=label(-3), as_of=yesterday)
    if reason == "death":
        task = await office.confirmed_death(person, month_day(-3, 15))
    else:
        task = await office.reported(person, reason, month_day(-3, 15))
        status, body = await office.step(
            task, "county-1", "confirmed", event_date=month_day(-3, 15).isoformat()
        )
        assert status == 202, body
    await office.client.close()
    return office, person, task


@pytest.mark.parametrize("reason", ["death", "imprisonment", "missing"])
async def test_months_a_roster_import_shows_paid_after_the_event_are_added_once(
    aiohttp_client: Callable[..., Any],
    tmp_path: Path,
    keys: dict[str, SigningKey],
    capsys: pytest.CaptureFixture[str],
    ledger_url: str | None,
    *,
    reason: str,
) -> None:
    """A death, and an imprisonment or a disappearance whose suspension stands: the same
    M(-2)..M(-1) = 476.00."""
    data = tmp_path / "data"
    office, person, task = await dead_and_confirmed(aiohttp_client, data, keys, ledger_url, reason)
    assert await money(data, ledger_url, task) == (None, {})  # nothing overpaid at the confirmation
    lines = [line(person, label(-1)), line(office.people.person(), label(0))]
    csv = tmp_path / "roster.csv"

    code = await asyncio.to_thread(imported, csv, data, ledger_url, lines)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "2 rows, 2 accepted, 0 refused" in out
    assert "; 1 overpayments grown by months paid after a termination" in out
    first, last = month_day(-2).isoformat(), month_end(-1).isoformat()
    grown = ((2, 47600, 0, "pending"), {f"overpayment:{task}": (first, last, 2, "476.00")})
    assert await money(data, ledger_url, task) == grown

    # the same file again: the months are claimed, nothing is added
    code = await asyncio.to_thread(imported, csv, data, ledger_url, lines)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "; 0 overpayments grown by months paid after a termination" in out
    assert await money(data, ledger_url, task) == grown


async def test_an_import_naming_no_closed_benefit_adds_nothing(
    aiohttp_client: Callable[..., Any],
    tmp_path: Path,
    keys: dict[str, SigningKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two people paid through ``M(0)``, neither the one whose death was confirmed: the
    one query finds nobody, and the hub's signing path is not even started."""
    data = tmp_path / "data"
    office, _person, task = await dead_and_confirmed(aiohttp_client, data, keys)

    async def never(*_args: object) -> int:
        raise AssertionError("the hub was started for an import naming no closed benefit")

    monkeypatch.setattr("certhub.hub.cli.roster._late", never)
    lines = [line(office.people.person(), label(0)), roster_line(1, "张三")]
    code = await asyncio.to_thread(imported, tmp_path / "roster.csv", data, None, lines)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "; 0 overpayments grown by months paid after a termination" in out
    assert await money(data, None, task) == (None, {})
