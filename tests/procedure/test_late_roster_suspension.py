"""Through the hub's HTTP API, on SQLite and PostgreSQL: months the province paid after a
confirmed imprisonment or disappearance, shown by a later roster entry, are added to the
task's overpayment as after a death — never a month twice, never one after a release.

238.00 a month (the kit's roster). Jailed on the 10th of ``M(-3)`` (in 2026-06 the brief's
2026-03-10), confirmed with no end stated while the roster paid through ``M(-3)`` (the
event's month is payable): nothing overpaid. The province, late to stop payment, sends an
entry paid through ``M(-1)``: ``M(-2)..M(-1)`` = 476.00 overpaid (``overpayment:<task>``);
the same entry again adds nothing. A sentence stated to end on the last day of ``M(-2)``:
``M(-2)`` = 238.00 only (``M(-1)`` is payable again), whatever the entries say later. A
disappearance since the 10th of ``M(-3)``: 476.00 as well. A suspension a restoration
approved has ended, and a balance written off, take none. Before, the months paid after an
imprisonment or a disappearance were never recovered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from latekit import balance, label, signed
from pgkit import throwaway_database
from procedurekit import UNITS, Office, month_day, month_end, open_office, write_off
from releasekit import jailed_while_paid, released_restoration

from certhub.security import SigningKey


@pytest.fixture(params=["sqlite", "postgres"])
async def office(
    request: pytest.FixtureRequest,
    aiohttp_client: Any,
    tmp_path: Path,
    keys: dict[str, SigningKey],
) -> AsyncIterator[Office]:
    """The procedure's hub on SQLite, then on a PostgreSQL database of its own (a
    deployment's keys live in its database, sealed by the data folder's key)."""
    data = tmp_path / "data"
    if request.param == "sqlite":
        yield await open_office(aiohttp_client, data, keys, units=UNITS)
        return
    with throwaway_database("certhub_latesusp") as url:
        office = await open_office(aiohttp_client, data, keys, units=UNITS, database_url=url)
        yield office
        await office.client.close()


async def confirmed(office: Office, person: dict[str, Any], reason: str, **extra: Any) -> str:
    """``person`` paid through M(-3), ``reason`` since the 10th of M(-3), confirmed
    (``extra``): the task, nothing overpaid."""
    await office.roster(person, paid_through=label(-3))
    task = await office.reported(person, reason, month_day(-3, 10))
    status, body = await office.step(
        task, "county-1", "confirmed", event_date=month_day(-3, 10).isoformat(), **extra
    )
    assert status == 202, body
    assert (await balance(office, task))[0] == 404
    return task


@pytest.mark.parametrize("reason", ["imprisonment", "missing"])
async def test_months_paid_while_suspended_are_added_once(office: Office, reason: str) -> None:
    person = office.people.person()
    task = await confirmed(office, person, reason)
    await office.roster(person, paid_through=label(-1))
    assert await balance(office, task) == (200, (2, "476.00", "0.00", "pending"))
    assert await signed(office, task) == {
        f"overpayment:{task}": (month_day(-2).isoformat(), month_end(-1).isoformat(), 2, "476.00")
    }
    size = await office.ledger_size()
    await office.roster(person, paid_through=label(-1))  # the same months again
    assert await balance(office, task) == (200, (2, "476.00", "0.00", "pending"))
    assert len(await signed(office, task)) == 1
    assert await office.ledger_size() == size + 1  # the entry alone


async def test_no_month_after_the_stated_sentence_end(office: Office) -> None:
    person = office.people.person()
    task = await confirmed(office, person, "imprisonment", suspend_until=month_end(-2).isoformat())
    await office.roster(person, paid_through=label(-1))
    assert await balance(office, task) == (200, (1, "238.00", "0.00", "pending"))
    await office.roster(person, paid_through=label(0))
    assert await balance(office, task) == (200, (1, "238.00", "0.00", "pending"))
    assert await signed(office, task) == {
        f"overpayment:{task}": (month_day(-2).isoformat(), month_end(-2).isoformat(), 1, "238.00")
    }


async def test_a_written_off_balance_takes_no_more_months(office: Office) -> None:
    person = office.people.person()
    task = await confirmed(office, person, "missing")
    await office.roster(person, paid_through=label(-2))
    assert await balance(office, task) == (200, (1, "238.00", "0.00", "pending"))
    path = f"/v1/overpayments/{task}/write-offs"
    await office.approved("write-offs", "det-1", write_off(task, "238.00"), path)
    await office.roster(person, paid_through=label(0))
    assert await balance(office, task) == (200, (1, "238.00", "0.00", "written_off"))
    assert set(await signed(office, task)) == {
        f"overpayment:{task}",
        f"overpayment:{task}:written-off",
    }


async def test_a_suspension_ended_by_a_restoration_takes_no_more_months(office: Office) -> None:
    """Jailed on the 10th of M(-9), confirmed while paid through M(-1) (M(-8)..M(-1) =
    1,904.00), released on the last day of M(-7): the restoration's approval cuts the
    overpayment to M(-8)..M(-7) = 476.00 and back-pays M(0). An entry paid through M(0)
    then adds nothing: the months after the release month were payable."""
    person, task = await jailed_while_paid(office)
    await office.approved("restorations", "town-1", await released_restoration(office, person))
    assert await balance(office, task) == (200, (2, "476.00", "0.00", "pending"))
    await office.roster(person, paid_through=label(0))
    assert await balance(office, task) == (200, (2, "476.00", "0.00", "pending"))


async def test_a_release_approved_later_cuts_the_months_added(office: Office) -> None:
    """Jailed on the 10th of M(-3), confirmed while paid through M(-3); the province's entry
    suspends the person, paid through M(-1): M(-2)..M(-1) = 476.00 added. The restoration
    stating the release on the last day of M(-2) (back pay of M(0)), approved: M(-1) was
    payable, the overpayment is M(-2) = 238.00."""
    person = office.people.person()
    task = await confirmed(office, person, "imprisonment")
    since = month_day(-3, 10).isoformat()
    await office.roster(person, status="suspended", suspended_since=since, paid_through=label(-1))
    assert await balance(office, task) == (200, (2, "476.00", "0.00", "pending"))
    payload = await released_restoration(office, person, offset=-2)
    await office.approved("restorations", "town-1", payload | {"suspended_since": since})
    assert await balance(office, task) == (200, (1, "238.00", "0.00", "pending"))
