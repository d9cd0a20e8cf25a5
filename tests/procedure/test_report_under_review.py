"""A report of loss of eligibility still under review holds back every restoration decision.

A local reporting system's report (death, imprisonment, …) opens a verification task only
when the county approves it. Before, a restoration of the province's suspension filed,
accepted or approved while the report waited for the town or the county went through:
back pay and resumed payment to someone perhaps dead. Now the report itself holds the
restoration back (``restoration-verification-open``, 409, nothing stored) from its filing
until it is decided: rejected, the restoration goes on; approved, its task holds it.

Months are counted from this month (China time), ``M(-4)`` four months ago; 238.00 a
month. Suspended since the 10th of ``M(-4)``, paid through ``M(-4)``; staff's restoration
back-pays ``M(-3)..M(-1)`` = 3 x 238.00 = 714.00 and resumes payment this month.
"""

from __future__ import annotations

from typing import Any

from procedurekit import Office, month_day
from restorationkit import (
    Request,
    filed_restoration,
    refused_unstored,
    suspended_with_restoration,
)


async def filed(office: Office, person: dict[str, Any], reason: str) -> int:
    """A ``reason`` report of ``person`` (event on the 15th of M(-4)) filed by the city and
    not decided: its item."""
    report = office.people.eligibility_report() | {
        "reason": reason, "person": person, "event_date": month_day(-4, 15).isoformat(),
        "region": person["region"],
    }  # fmt: skip
    status, receipt = await office.post("/v1/reports", "city", report)
    assert status == 202, receipt
    return int(receipt["sequence"])


async def held(office: Office, request: Request, why: str) -> None:
    """``request()`` answers 409 ``restoration-verification-open`` naming ``why``, and the
    ledger holds no more records than before."""
    body = await refused_unstored(office, "restoration-verification-open", request)
    assert why in body["detail"], body


async def restorations(office: Office) -> list[tuple[str, str]]:
    """(status, back pay) of every restoration listed."""
    status, page = await office.get("/v1/restorations")
    assert status == 200, page
    return [(i["status"], i["payload"]["back_pay_amount"]) for i in page["items"]]


async def test_a_death_report_under_review_refuses_the_request_until_it_is_rejected(
    office: Office,
) -> None:
    person, payload = await suspended_with_restoration(office)
    report = await filed(office, person, "death")

    async def request() -> tuple[int, dict[str, Any]]:
        return await office.post("/v1/restorations", "town-1", payload)

    await held(office, request, f"death report {report} received")
    assert (await office.decide("reports", report, "town-1", "accept"))[0] == 202
    await held(office, request, f"death report {report} accepted")
    assert await restorations(office) == []

    status, body = await office.decide("reports", report, "county-1", "reject")
    assert status == 202, body
    await office.approved("restorations", "town-1", payload)
    assert await restorations(office) == [("approved", "714.00")]


async def test_a_report_filed_after_the_request_holds_the_acceptance_and_the_approval(
    office: Office,
) -> None:
    person, payload = await suspended_with_restoration(office)
    item = await filed_restoration(office, payload)

    jailed = await filed(office, person, "imprisonment")

    async def accept() -> tuple[int, dict[str, Any]]:
        return await office.decide("restorations", item, "town-1", "accept")

    await held(office, accept, f"imprisonment report {jailed} received")
    assert (await office.decide("reports", jailed, "town-1", "reject"))[0] == 202
    assert (await accept())[0] == 202

    died = await filed(office, person, "death")
    assert (await office.decide("reports", died, "town-1", "accept"))[0] == 202

    async def approve() -> tuple[int, dict[str, Any]]:
        return await office.decide("restorations", item, "county-1", "approve")

    await held(office, approve, f"death report {died} accepted")
    assert await restorations(office) == [("accepted", "714.00")]

    # approved, the report opens its task, which holds the restoration in turn
    assert (await office.decide("reports", died, "county-1", "approve"))[0] == 202
    await held(office, approve, f"death task-{died}")
    status, body = await office.step(f"task-{died}", "county-1", "cleared")
    assert status == 202, body
    status, body = await approve()
    assert status == 202, body
    assert await restorations(office) == [("approved", "714.00")]
