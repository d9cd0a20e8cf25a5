"""A plain restoration (the province's suspension) over what the hub itself found.

Staff restore a pensioner the province suspended (no termination of the hub's involved).
Before, the check read the roster alone: an imprisonment the county confirmed between
filing and approval, or a death still under verification, did not stop it — back pay and
resumed payment went to a prisoner. Months are counted from this month (China time),
``M(-4)`` four months ago; 238.00 a month. Suspended since the 10th of ``M(-4)``, paid
through ``M(-4)``; staff's restoration back-pays ``M(-3)..M(-1)`` = 3 x 238.00 = 714.00
and resumes payment this month.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from procedurekit import Office, month_day, month_end, restoration
from restorationkit import (
    Request,
    filed_restoration,
    refused_unstored,
    suspended_with_restoration,
)


async def jailed(office: Office, person: dict[str, Any], until: date | None = None) -> str:
    """Imprisonment on the 13th of M(-4) confirmed by the county (sentence to ``until``)."""
    task = await office.reported(person, "imprisonment", month_day(-4, 13))
    extra = {"suspend_until": until.isoformat()} if until else {}
    status, body = await office.step(
        task, "county-1", "confirmed", event_date=month_day(-4, 13).isoformat(), **extra
    )
    assert status == 202, body
    return task


def approval(office: Office, item: int) -> Request:
    """The county's approval of restoration ``item``, to be sent."""
    return lambda: office.decide("restorations", item, "county-1", "approve")


async def test_an_imprisonment_confirmed_after_acceptance_stops_the_approval(
    office: Office,
) -> None:
    person, payload = await suspended_with_restoration(office)
    item = await office.accepted("restorations", "town-1", payload)
    await jailed(office, person)  # no end stated: every month after M(-4) a prison month

    await refused_unstored(office, "restoration-finding-confirmed", approval(office, item))
    _, page = await office.get("/v1/restorations")
    assert [i["status"] for i in page["items"]] == ["accepted"]
    # filed again now: refused at the request, nothing stored
    again = restoration(person, month_day(-4, 10))
    await refused_unstored(
        office,
        "restoration-finding-confirmed",
        lambda: office.post("/v1/restorations", "town-1", again),
    )


async def test_confirmed_between_filing_and_acceptance_stops_the_acceptance(
    office: Office,
) -> None:
    person, payload = await suspended_with_restoration(office)
    item = await filed_restoration(office, payload)
    await jailed(office, person, until=month_day(14, 9))  # still serving

    await refused_unstored(
        office,
        "restoration-finding-confirmed",
        lambda: office.decide("restorations", item, "town-1", "accept"),
    )


async def test_after_the_sentence_only_the_months_since_release_are_restored(
    office: Office,
) -> None:
    # released on the last day of M(-3): M(-3) a prison month, payable again from M(-2)
    person, payload = await suspended_with_restoration(office)
    await jailed(office, person, until=month_end(-3))

    await refused_unstored(  # M(-3)..M(-1)
        office,
        "restoration-finding-confirmed",
        lambda: office.post("/v1/restorations", "town-1", payload),
    )

    since_release = payload | {
        "back_pay_from": month_day(-2).isoformat(),
        "back_pay_amount": "476.00",
    }
    await office.approved("restorations", "town-1", since_release)  # M(-2)..M(-1)
    _, page = await office.get("/v1/restorations")
    (restored,) = page["items"]
    assert (restored["status"], restored["payload"]["back_pay_amount"]) == ("approved", "476.00")


async def test_an_open_death_verification_holds_the_approval(office: Office) -> None:
    person, payload = await suspended_with_restoration(office)
    item = await office.accepted("restorations", "town-1", payload)
    task = await office.reported(person, "death", month_day(-4, 15))

    await refused_unstored(office, "restoration-verification-open", approval(office, item))
    status, body = await office.step(task, "county-1", "cleared")
    assert status == 202, body
    status, body = await office.decide("restorations", item, "county-1", "approve")
    assert status == 202, body
