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

import calendar
from datetime import date
from typing import Any

from procedurekit import Office, restoration, today

PROBLEM = "urn:certhub:problem:"


def first(offset: int, day: int = 1) -> date:
    """Day ``day`` of the month ``offset`` months from this one (computed apart from the hub)."""
    index = today().year * 12 + today().month - 1 + offset
    return date(index // 12, index % 12 + 1, day)


def last(offset: int) -> date:
    start = first(offset)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


async def suspended_and_filed(office: Office) -> tuple[dict[str, Any], dict[str, Any]]:
    """The person, and staff's restoration of M(-3)..M(-1) = 714.00."""
    person = office.people.person()
    since = first(-4, 10)
    await office.suspended(person, since)
    payload = restoration(person, since)
    assert (payload["back_pay_from"], payload["back_pay_to"], payload["back_pay_amount"]) == (
        first(-3).isoformat(),
        last(-1).isoformat(),
        "714.00",
    )
    return person, payload


async def reported(office: Office, person: dict[str, Any], reason: str, on: date) -> str:
    """A ``reason`` report of ``person`` (event ``on``) approved: its open task's id."""
    report = office.people.eligibility_report() | {
        "reason": reason, "person": person, "event_date": on.isoformat(),
        "region": person["region"],
    }  # fmt: skip
    return f"task-{await office.approved_report(report)}"


async def jailed(office: Office, person: dict[str, Any], until: date | None = None) -> str:
    """Imprisonment on the 13th of M(-4) confirmed by the county (sentence to ``until``)."""
    task = await reported(office, person, "imprisonment", first(-4, 13))
    extra = {"suspend_until": until.isoformat()} if until else {}
    status, body = await office.step(
        task, "county-1", "confirmed", event_date=first(-4, 13).isoformat(), **extra
    )
    assert status == 202, body
    return task


async def filed_and_accepted(office: Office, payload: dict[str, Any]) -> int:
    status, body = await office.post("/v1/restorations", "town-1", payload)
    assert status == 202, body
    item = int(body["sequence"])
    assert (await office.decide("restorations", item, "town-1", "accept"))[0] == 202
    return item


async def refused_unstored(office: Office, slug: str, item: int) -> None:
    size = await office.ledger_size()
    status, body = await office.decide("restorations", item, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + slug), body
    assert await office.ledger_size() == size


async def test_an_imprisonment_confirmed_after_acceptance_stops_the_approval(
    office: Office,
) -> None:
    person, payload = await suspended_and_filed(office)
    item = await filed_and_accepted(office, payload)
    await jailed(office, person)  # no end stated: every month after M(-4) a prison month

    await refused_unstored(office, "restoration-finding-confirmed", item)
    _, page = await office.get("/v1/restorations")
    assert [i["status"] for i in page["items"]] == ["accepted"]
    # filed again now: refused at the request, nothing stored
    size = await office.ledger_size()
    status, body = await office.post(
        "/v1/restorations", "town-1", restoration(person, first(-4, 10))
    )
    assert (status, body["type"]) == (409, PROBLEM + "restoration-finding-confirmed"), body
    assert await office.ledger_size() == size


async def test_confirmed_between_filing_and_acceptance_stops_the_acceptance(
    office: Office,
) -> None:
    person, payload = await suspended_and_filed(office)
    status, body = await office.post("/v1/restorations", "town-1", payload)
    assert status == 202, body
    item = int(body["sequence"])
    await jailed(office, person, until=first(14, 9))  # still serving

    size = await office.ledger_size()
    status, body = await office.decide("restorations", item, "town-1", "accept")
    assert (status, body["type"]) == (409, PROBLEM + "restoration-finding-confirmed"), body
    assert await office.ledger_size() == size


async def test_after_the_sentence_only_the_months_since_release_are_restored(
    office: Office,
) -> None:
    # released on the last day of M(-3): M(-3) a prison month, payable again from M(-2)
    person, payload = await suspended_and_filed(office)
    await jailed(office, person, until=last(-3))

    size = await office.ledger_size()
    status, body = await office.post("/v1/restorations", "town-1", payload)  # M(-3)..M(-1)
    assert (status, body["type"]) == (409, PROBLEM + "restoration-finding-confirmed"), body
    assert await office.ledger_size() == size

    since_release = payload | {"back_pay_from": first(-2).isoformat(), "back_pay_amount": "476.00"}
    await office.approved("restorations", "town-1", since_release)  # M(-2)..M(-1)
    _, page = await office.get("/v1/restorations")
    (restored,) = page["items"]
    assert (restored["status"], restored["payload"]["back_pay_amount"]) == ("approved", "476.00")


async def test_an_open_death_verification_holds_the_approval(office: Office) -> None:
    person, payload = await suspended_and_filed(office)
    item = await filed_and_accepted(office, payload)
    task = await reported(office, person, "death", first(-4, 15))

    await refused_unstored(office, "restoration-verification-open", item)
    status, body = await office.step(task, "county-1", "cleared")
    assert status == 202, body
    status, body = await office.decide("restorations", item, "county-1", "approve")
    assert status == 202, body
