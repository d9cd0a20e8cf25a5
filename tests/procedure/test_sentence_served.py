"""An imprisonment confirmed after the sentence ended recovers the prison months only.

Jailed on the 10th of ``M(-9)``, released on the last day of ``M(-6)``, confirmed
today; the roster pays 238.00 a month through this month. The benefit is payable again
from the month after release, so the overpayment is ``M(-8)..M(-6)`` = 3 x 238.00 =
714.00 — before, ``M(-8)..M(0)``, 9 x 238.00 = 2142.00, was recovered from a person
released six months ago. Months are counted from this month (China time).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from procedurekit import Office, month_day, month_end


async def imprisonment(office: Office, person: dict[str, Any], jailed: date) -> str:
    report = office.people.eligibility_report() | {
        "reason": "imprisonment", "person": person, "event_date": jailed.isoformat(),
        "region": person["region"],
    }  # fmt: skip
    return f"task-{await office.approved_report(report)}"


async def test_a_served_sentence_recovers_the_prison_months_only(office: Office) -> None:
    person = office.people.person()
    await office.roster(person)  # 238.00, paid through this month
    task = await imprisonment(office, person, month_day(-9, 10))
    status, body = await office.step(
        task, "county-1", "confirmed",
        event_date=month_day(-9, 10).isoformat(), suspend_until=month_end(-6).isoformat(),
    )  # fmt: skip
    assert status == 202, body

    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    assert (body["amount"], body["remaining"]) == ("714.00", "714.00")
    _, page = await office.get("/v1/outcomes", limit="1000")
    (over,) = [i["payload"] for i in page["items"] if i["type"] == "overpayment/v1"]
    assert (over["period_from"], over["period_to"], over["months"]) == (
        month_day(-8).isoformat(),
        month_end(-6).isoformat(),
        3,
    )
    (suspension,) = [i["payload"] for i in page["items"] if i["type"] == "suspension/v1"]
    assert suspension["effective_from"] == month_day(-9, 10).isoformat()
    assert suspension["remarks"] == f"until {month_end(-6).isoformat()}"


async def test_a_sentence_still_running_recovers_every_month_paid(office: Office) -> None:
    person = office.people.person()
    await office.roster(person)
    task = await imprisonment(office, person, month_day(-9, 10))
    status, body = await office.step(
        task, "county-1", "confirmed",
        event_date=month_day(-9, 10).isoformat(), suspend_until=month_day(14, 9).isoformat(),
    )  # fmt: skip
    assert status == 202, body
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (status, body["amount"]) == (200, "2142.00")  # M(-8)..M(0): 9 x 238.00
