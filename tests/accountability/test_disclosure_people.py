"""The public disclosure counts people where a count could point at a person.

The threshold (5) protects people: a cell of five records that are one person's
is that person's figure. Each expected figure below is counted by hand from what
the test sends, not by the hub's helpers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from procedurekit import Office, recovery
from suspensionkit import confirmed

from certhub.hub.accountability.disclosure import disclose
from certhub.hub.accountability.kpis import month_bounds
from certhub.hub.cli.demo_month_messages import months_ago, this_month
from certhub.hub.core.keys import STORE
from certhub.schemas import GUANGDONG_COUNTIES
from certhub.schemas.clock import CHINA_STANDARD_TIME

COUNTY, CITY = "440103", "440100"


def last_month() -> date:
    """The 10th of the month before this one (China Standard Time): a finished month."""
    today = datetime.now(CHINA_STANDARD_TIME).date()
    first = today.replace(day=1)
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 10)


async def disclosed(office: Office, period: str) -> dict[tuple[str, str], dict[str, Any]]:
    response = await office.client.get("/v1/public/disclosure", params={"period": period})
    assert response.status == 200, await response.text()
    return {(r["level"], r["code"]): r for r in (await response.json())["rows"]}


async def test_five_instalments_of_one_person_are_not_five_people(office: Office) -> None:
    # one pensioner of 越秀 died two months ago, paid since; the family repaid the
    # overpayment in five instalments of 10.00, all last month. By hand: one person,
    # 50.00 — a figure about one family.
    person = office.people.person() | {"region": {"county": COUNTY, "village": f"{COUNTY}001201"}}
    on = last_month()
    await office.roster(person, paid_through=datetime.now(CHINA_STANDARD_TIME).strftime("%Y-%m"))
    died = date(on.year - (on.month == 1), (on.month - 2) % 12 + 1, 1)  # the month before
    task = await office.confirmed_death(person, died)
    for n in range(5):
        payload = recovery(task, "10.00", recovered_on=on.isoformat(), reference=f"R-{n}")
        status, body = await office.post(f"/v1/overpayments/{task}/recoveries", "det-1", payload)
        assert status == 202, body

    rows = await disclosed(office, on.strftime("%Y-%m"))
    for cell in (("county", COUNTY), ("city", CITY), ("province", "440000")):
        assert rows[cell]["recoveries"] is None, (cell, rows[cell]["recoveries"])  # 1 < 5
        assert rows[cell]["recovered_amount"] is None, cell


async def test_a_person_suspended_twice_is_one_person(office: Office) -> None:
    # three pensioners of 越秀, each confirmed jailed, then confirmed missing: two hub-signed
    # suspensions each, this month. By hand: three people suspended — fewer than 5.
    for _ in range(3):
        person = office.people.person() | {
            "region": {"county": COUNTY, "village": f"{COUNTY}001201"}
        }
        await office.roster(person, paid_through=this_month())
        await confirmed(office, person, "imprisonment", months_ago(2))
        await confirmed(office, person, "missing", months_ago(1))
    month, start, end = month_bounds(this_month())  # the route's figures, for this month
    counts = await office.client.app[STORE].disclosure_counts(month, this_month(), start, end)
    rows = {(r["level"], r["code"]): r for r in disclose(counts, GUANGDONG_COUNTIES, 5)}
    for cell in (("county", COUNTY), ("city", CITY), ("province", "440000")):
        assert rows[cell]["suspensions"] is None, (cell, rows[cell]["suspensions"])  # 3 < 5
