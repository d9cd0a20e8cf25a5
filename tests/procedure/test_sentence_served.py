"""An imprisonment confirmed after the sentence ended recovers the prison months only.

Jailed on the 10th of ``M(-9)``, released on the last day of ``M(-6)``, confirmed
today; the roster pays 238.00 a month through this month. The benefit is payable again
from the month after release, so the overpayment is ``M(-8)..M(-6)`` = 3 x 238.00 =
714.00 — before, ``M(-8)..M(0)``, 9 x 238.00 = 2142.00, was recovered from a person
released six months ago. Months are counted from this month (China time).
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from procedurekit import Office, today


def first(offset: int, day: int = 1) -> date:
    """Day ``day`` of the month ``offset`` months from this one (computed apart from the hub)."""
    index = today().year * 12 + today().month - 1 + offset
    return date(index // 12, index % 12 + 1, day)


def last(offset: int) -> date:
    start = first(offset)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


async def imprisonment(office: Office, person: dict[str, Any], jailed: date) -> str:
    report = office.people.eligibility_report() | {
        "reason": "imprisonment", "person": person, "event_date": jailed.isoformat(),
        "region": person["region"],
    }  # fmt: skip
    return f"task-{await office.approved_report(report)}"


async def test_a_served_sentence_recovers_the_prison_months_only(office: Office) -> None:
    person = office.people.person()
    await office.roster(person)  # 238.00, paid through this month
    task = await imprisonment(office, person, first(-9, 10))
    status, body = await office.step(
        task, "county-1", "confirmed",
        event_date=first(-9, 10).isoformat(), suspend_until=last(-6).isoformat(),
    )  # fmt: skip
    assert status == 202, body

    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    assert (body["amount"], body["remaining"]) == ("714.00", "714.00")
    _, page = await office.get("/v1/outcomes", limit="1000")
    (over,) = [i["payload"] for i in page["items"] if i["type"] == "overpayment/v1"]
    assert (over["period_from"], over["period_to"], over["months"]) == (
        first(-8).isoformat(),
        last(-6).isoformat(),
        3,
    )
    (suspension,) = [i["payload"] for i in page["items"] if i["type"] == "suspension/v1"]
    assert suspension["effective_from"] == first(-9, 10).isoformat()
    assert suspension["remarks"] == f"until {last(-6).isoformat()}"


async def test_a_sentence_still_running_recovers_every_month_paid(office: Office) -> None:
    person = office.people.person()
    await office.roster(person)
    task = await imprisonment(office, person, first(-9, 10))
    status, body = await office.step(
        task, "county-1", "confirmed",
        event_date=first(-9, 10).isoformat(), suspend_until=first(14, 9).isoformat(),
    )  # fmt: skip
    assert status == 202, body
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (status, body["amount"]) == (200, "2142.00")  # M(-8)..M(0): 9 x 238.00
