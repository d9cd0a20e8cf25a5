"""The cycle's edges through the hub, day by day (found correct): the month a certification
counts in is China time's, whatever the sender's offset; the due list's 1..3 months, the
overdue list's first day and ``liable_from``, a leap day, December into January, the
suspension sweep's first day (with and without a month's grace) and the long-suspended
list's 365th and 366th day, which agrees with the municipal level of a restoration.

Each pensioner certifies in the app at a chosen instant and reads the lists ``?on=`` a
chosen day (China Standard Time).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from procedurekit import Office

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.suspensions import ProposalSweep
from certhub.hub.rules.restoration import needs_municipal


async def listed(office: Office, path: str, on: date, **query: str) -> dict[str, dict[str, Any]]:
    """The list at ``path`` read on ``on``: its entries by ID number."""
    status, page = await office.get(f"/v1/register/{path}", on=on.isoformat(), **query)
    assert status == 200, page
    return {entry["person"]["id_number"]: entry for entry in page["items"]}


async def certified_at(office: Office, at: str) -> str:
    """A pensioner on the roster, certified in the app at ``at``: the ID number."""
    person = office.people.person()
    await office.roster(person)
    await office.certified_in_app(person, at)
    return str(person["id_number"])


async def everyone(office: Office, on: date) -> dict[str, dict[str, Any]]:
    """``people`` of every county the office's pensioners live in, read on ``on``."""
    found: dict[str, dict[str, Any]] = {}
    for county in await counties(office):
        found |= await listed(office, "people", on, area=county, limit="100")
    return found


async def counties(office: Office) -> set[str]:
    rows = await office.client.app[STORE]._read("SELECT DISTINCT area FROM register_people", ())
    return {str(area)[:6] for (area,) in rows}


@pytest.mark.parametrize(
    ("at", "due", "last_on"),
    [
        ("2026-03-31T15:59:59+00:00", "2027-03", "2026-03-31"),  # 23:59:59 in Guangdong
        ("2026-03-31T16:00:00+00:00", "2027-04", "2026-04-01"),  # midnight: April already
        ("2026-04-01T00:30:00+08:00", "2027-04", "2026-04-01"),
        ("2025-12-31T23:59:00+08:00", "2026-12", "2025-12-31"),
        ("2025-12-31T16:00:00+00:00", "2027-01", "2026-01-01"),  # Dec 31 UTC is Jan 1 here
    ],
)
async def test_the_month_is_china_time_whatever_the_offset(
    office: Office, at: str, due: str, last_on: str
) -> None:
    number = await certified_at(office, at)
    row = await office.client.app[STORE].register_person(number)
    assert row is not None
    assert row.last_on == last_on
    entry = (await everyone(office, date(2027, 1, 1)))[number]
    assert entry["due_month"] == due


async def test_due_soon_overdue_and_liable_from_at_the_month_edges(office: Office) -> None:
    march = await certified_at(office, "2026-03-31T23:30:00+08:00")  # due 2027-03
    leap = await certified_at(office, "2024-02-29T10:00:00+08:00")  # due 2025-02
    to_leap = await certified_at(office, "2023-02-28T10:00:00+08:00")  # due 2024-02 (29 days)
    december = await certified_at(office, "2025-12-31T23:59:00+08:00")  # due 2026-12

    for within, expected in (("1", set()), ("2", set()), ("3", {march})):
        assert set(await listed(office, "due", date(2027, 1, 31), within=within)) == expected
    assert set(await listed(office, "due", date(2027, 2, 1), within="2")) == {march}
    assert set(await listed(office, "due", date(2027, 3, 31), within="1")) == {march}
    entry = (await everyone(office, date(2027, 3, 31)))[march]
    assert (entry["status"], entry["cycle"]["covered_until"]) == ("due", "2027-03-31")
    overdue = await listed(office, "overdue", date(2027, 4, 1))
    assert set(overdue) == {march, leap, to_leap, december}
    assert overdue[march]["liable_from"] == "2027-04-01"
    assert overdue[leap]["cycle"] == {"from": "2024-03", "to": "2025-02",
                                      "covered_until": "2025-02-28"}  # fmt: skip
    assert overdue[leap]["liable_from"] == "2025-03-01"
    people = await everyone(office, date(2024, 2, 29))
    assert people[to_leap]["cycle"]["covered_until"] == "2024-02-29"
    assert people[to_leap]["status"] == "due"
    assert to_leap not in await listed(office, "overdue", date(2024, 2, 29))
    assert overdue[to_leap]["liable_from"] == "2024-03-01"
    assert to_leap in await listed(office, "overdue", date(2024, 3, 1))
    people = await everyone(office, date(2027, 1, 1))
    assert people[december]["status"] == "overdue"  # due 2026-12, overdue from 2027-01-01
    assert people[december]["liable_from"] == "2027-01-01"
    assert december not in await listed(office, "overdue", date(2026, 12, 31))
    assert december in await listed(office, "overdue", date(2027, 1, 1))


async def test_the_sweep_proposes_on_the_first_day_liable(office: Office) -> None:
    await certified_at(office, "2025-10-31T23:30:00+08:00")  # due 2026-10
    app = office.client.app

    def sweep(grace: int) -> ProposalSweep:
        return ProposalSweep(app[STORE], app[PROCEDURE].outcomes, grace_months=grace)

    assert await sweep(0).sweep(date(2026, 10, 31)) == 0  # the due month's last day
    assert await sweep(1).sweep(date(2026, 11, 30)) == 0  # the grace month's last day
    assert await sweep(1).sweep(date(2026, 12, 1)) == 1  # liable from 2026-12-01
    assert await sweep(0).sweep(date(2026, 12, 1)) == 0  # once a cycle


@pytest.mark.parametrize(
    ("since", "day_365", "day_366"),
    [
        (date(2027, 3, 1), date(2028, 2, 29), date(2028, 3, 1)),  # across a leap day
        (date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1)),  # from a leap day
        (date(2026, 1, 1), date(2027, 1, 1), date(2027, 1, 2)),
    ],
)
async def test_long_suspended_from_the_366th_day_as_the_municipal_level(
    office: Office, since: date, day_365: date, day_366: date
) -> None:
    person = office.people.person()
    await office.suspended(person, since)
    number = person["id_number"]
    assert (day_365 - since).days == 365
    assert not needs_municipal(since, day_365)
    assert needs_municipal(since, day_366)
    assert number not in await listed(office, "long-suspended", day_365)
    assert number in await listed(office, "long-suspended", day_366)
    assert number in await listed(office, "suspended", day_365)  # never certified
