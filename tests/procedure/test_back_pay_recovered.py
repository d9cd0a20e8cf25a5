"""A death confirmed after a restoration back-paid months after it recovers those months.

The hub's copy of the roster says suspended, paid through the suspension's month, until
the province's next entry; the back pay the hub approved was paid all the same. Before,
a death in the suspension's month confirmed in that window recovered nothing (404: no
overpayment), though three months had been back-paid to a dead person. Months are
counted from this month (China time), ``M(-4)`` four months ago; 238.00 a month.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from procedurekit import Office, month_day, month_end
from restorationkit import suspended_with_restoration

PROBLEM = "urn:certhub:problem:"


async def died(office: Office, person: dict[str, Any], on: date) -> str:
    """A death on ``on`` reported, approved and confirmed by the county: the task id."""
    task = await office.reported(person, "death", on)
    status, body = await office.step(task, "county-1", "confirmed", event_date=on.isoformat())
    assert status == 202, body
    return task


async def test_months_back_paid_after_the_death_are_recovered(office: Office) -> None:
    person, payload = await suspended_with_restoration(office)
    await office.approved("restorations", "town-1", payload)
    task = await died(office, person, month_day(-4, 15))  # the suspension's month: payable

    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    assert (body["amount"], body["remaining"], body["status"]) == ("714.00", "714.00", "pending")
    _, page = await office.get("/v1/outcomes", limit="1000")
    (over,) = [i["payload"] for i in page["items"] if i["type"] == "overpayment/v1"]
    assert (over["period_from"], over["period_to"]) == (
        month_day(-3).isoformat(),
        month_end(-1).isoformat(),
    )
    assert (over["months"], over["monthly_amount"], over["amount"]) == (3, "238.00", "714.00")


async def test_a_restoration_still_under_review_paid_nothing_to_recover(office: Office) -> None:
    person, payload = await suspended_with_restoration(office)
    item = await office.accepted("restorations", "town-1", payload)
    task = await died(office, person, month_day(-4, 15))

    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (status, body["type"]) == (404, PROBLEM + "not-found")
    # and it is never paid now: the death closed the benefit
    status, body = await office.decide("restorations", item, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "restoration-not-suspended"), body
