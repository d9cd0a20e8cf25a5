"""The province's roster in bulk (``certhub roster import``) moves the same money as the same
entries sent one by one through ``POST /v1/roster`` — each history run both ways, on SQLite
and PostgreSQL, the hub's answers compared with the same hand-computed vectors.

238.00 a month, months counted from this month (China time):

- jailed on the 10th of ``M(-9)``, confirmed with the sentence stated to end on the last day
  of ``M(-7)`` while paid through ``M(-7)``: ``M(-8)..M(-7)`` = 476.00 overpaid. The next
  entry shows the person paid through ``M(-1)``: ``M(-6)..M(-1)`` were payable and are kept
  paid (claimed ``back_paid`` under the task), nothing more overpaid. The province then
  suspends the person, its entry rewritten to paid through ``M(-9)``: a restoration
  back-paying ``M(-6)..M(-1)`` (1,428.00) is ``months-already-counted`` (409, nothing
  stored). Before the fix the import claimed those months only with an overpayment it
  added: imported, the restoration was approved (202) — 1,428.00 paid twice;
- paid through ``M(-3)`` stamped in China time (as an import stamps its entries), then
  through ``M(0)`` stamped in UTC: a death on the 15th of ``M(-3)`` recovers ``M(-2)..M(0)``
  = 714.00 (before, the UTC entry sorted as older, was not stored, and nothing was);
- a person twice in a file: the first row is kept, the second refused (``duplicate``) and
  adds no month until the province's file is fixed;
- died on the 15th of ``M(-3)``, confirmed while paid through ``M(-3)``: nothing overpaid;
  an entry paid through ``M(0)`` adds ``M(-2)..M(0)`` = 714.00; the same entry again adds
  nothing, an entry rewriting ``paid_through`` back to ``M(-3)`` takes nothing back.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from importkit import Client, Province, china_now, imported, line, reopened
from procedurekit import Office, back_paid_months, month_day
from releasekit import balance, jailed_on, label
from restorationkit import refused_unstored
from suspensionkit import confirmed

from certhub.schemas.clock import CHINA_STANDARD_TIME


@pytest.fixture(params=["pushed", "imported"])
def province(request: pytest.FixtureRequest, aiohttp_client: Client, tmp_path: Path) -> Province:
    """How the province's entries reach the hub."""
    return Province(request.param, aiohttp_client, tmp_path)


async def test_months_paid_after_the_stated_sentence_stay_paid(
    office_on_ledger: Office, province: Province
) -> None:
    """No overpayment added, yet ``M(-6)..M(-1)`` (1,428.00) are paid: never back-paid again."""
    office = office_on_ledger
    person = office.people.person()
    yesterday = (datetime.now(CHINA_STANDARD_TIME) - timedelta(days=1)).isoformat()
    await office.roster(person, paid_through=label(-7), as_of=yesterday)
    task = await confirmed(office, person, "imprisonment", jailed_on(), until=-7)
    assert await balance(office, task) == (2, "476.00", "0.00", "476.00", "pending")

    office = await province.entry(office, person, -1)
    assert await balance(office, task) == (2, "476.00", "0.00", "476.00", "pending")
    office = await province.again(office)  # the same entry again (imported: the same file)
    assert await balance(office, task) == (2, "476.00", "0.00", "476.00", "pending")
    # rewritten back (M(-6)..M(-1) hidden), stamped in China time as the import's entries are
    await office.roster(
        person, status="suspended", suspended_since=jailed_on().isoformat(),
        paid_through=label(-9), as_of=china_now(),
    )  # fmt: skip
    payload = back_paid_months(person, jailed_on(), -6, -1, "1428.00")
    await refused_unstored(
        office, "months-already-counted", lambda: office.post("/v1/restorations", "town-1", payload)
    )
    # the month not paid yet is restored: M(0) = 238.00, payment resumed from M(1)
    await office.approved(
        "restorations", "town-1", back_paid_months(person, jailed_on(), 0, 0, "238.00")
    )


async def test_a_later_entry_stamped_in_another_offset_is_the_latest(
    office_on_ledger: Office, province: Province
) -> None:
    """The entry paid through ``M(-3)`` stamped in China time (as the import stamps every
    entry), then the province's next one paid through ``M(0)`` stamped in UTC (``POST
    /v1/roster``, the kit's ``as_of``); died on the 15th of ``M(-3)`` and confirmed:
    ``M(-2)..M(0)`` = 714.00 overpaid. The roster compares ``as_of`` as text: before, a pushed
    entry was stored as its sender stamped it, ``2026-12-07T06:50Z`` sorted before
    ``2026-12-07T14:49+08:00`` (eight hours earlier), the newer entry was not stored and the
    death recovered nothing (714.00 lost); now every entry is stored in China time."""
    office = office_on_ledger
    person = office.people.person()
    office = await province.entry(office, person, -3)
    await office.roster(person, paid_through=label(0))  # as_of: now in UTC
    task = await office.confirmed_death(person, month_day(-3, 15))
    assert await balance(office, task) == (3, "714.00", "0.00", "714.00", "pending")


async def test_months_paid_after_a_death_are_added_once_and_kept(
    office_on_ledger: Office, province: Province
) -> None:
    """Found correct: ``M(-2)..M(0)`` = 714.00 added once — the same entry again adds nothing,
    an entry rewriting ``paid_through`` back to the death's month takes nothing back."""
    office = office_on_ledger
    person = office.people.person()
    yesterday = (datetime.now(CHINA_STANDARD_TIME) - timedelta(days=1)).isoformat()
    await office.roster(person, paid_through=label(-3), as_of=yesterday)
    task = await office.confirmed_death(person, month_day(-3, 15))
    owed = (3, "714.00", "0.00", "714.00", "pending")

    office = await province.entry(office, person, 0)
    assert await balance(office, task) == owed
    office = await province.again(office)
    assert await balance(office, task) == owed
    office = await province.entry(office, person, -3)
    assert await balance(office, task) == owed


async def test_a_person_twice_in_a_file_takes_the_first_row_until_the_file_is_fixed(
    office_on_ledger: Office,
    aiohttp_client: Client,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Found as documented: died on the 15th of ``M(-3)``, confirmed while paid through
    ``M(-3)``; a file naming the person paid through ``M(-1)``, then again through ``M(0)``:
    the second row is refused (``duplicate``, exit 1), ``M(-2)..M(-1)`` = 476.00 added (pushed
    one by one with one ``as_of``, the later would add ``M(0)`` too); the province's file
    fixed, imported later: ``M(0)`` added, 714.00."""
    office = office_on_ledger
    person = office.people.person()
    yesterday = (datetime.now(CHINA_STANDARD_TIME) - timedelta(days=1)).isoformat()
    await office.roster(person, paid_through=label(-3), as_of=yesterday)
    task = await office.confirmed_death(person, month_day(-3, 15))
    await office.client.close()

    twice = [line(person, label(-1)), line(person, label(0))]
    assert await asyncio.to_thread(imported, tmp_path / "twice.csv", office, twice) == 1
    assert "refused duplicate: 1" in capsys.readouterr().out
    office = await reopened(office, aiohttp_client)
    assert await balance(office, task) == (2, "476.00", "0.00", "476.00", "pending")
    await office.client.close()

    later = (datetime.now(CHINA_STANDARD_TIME) + timedelta(seconds=1)).replace(microsecond=0)
    fixed = [line(person, label(0))]
    path = tmp_path / "fixed.csv"
    assert await asyncio.to_thread(imported, path, office, fixed, later.isoformat()) == 0
    office = await reopened(office, aiohttp_client)
    assert await balance(office, task) == (3, "714.00", "0.00", "714.00", "pending")
