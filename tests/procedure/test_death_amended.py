"""A confirmed death dated earlier by a later record: the amendment, through the HTTP API.

238.00 a month (the kit's roster). The README's case: died 2026-10-15 by the first
report, confirmed, the roster paid through 2026-12: 2026-11..12 = 476.00. A later
report saying 2026-06-20, approved, opens a ``termination_amendment/v1`` item; town
staff accept it, the county approves, and 2026-07..10 = 4 x 238.00 = 952.00 more is
recovered: 1,428.00 in all. Before, the report was linked to the closed history and
the 952.00 was never recovered.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from procedurekit import (
    Office,
    evidence_payloads,
    month_day,
    month_end,
    recovery,
    write_off,
)
from restorationkit import suspended_with_restoration

from certhub.hub.core.keys import STORE

PROBLEM = "urn:certhub:problem:"
AMENDMENT = "termination_amendment/v1"


async def outcomes(office: Office, message_type: str) -> list[dict[str, Any]]:
    """The hub-signed records of ``message_type`` in the provincial pull, oldest first."""
    status, body = await office.get("/v1/outcomes", limit="1000")
    assert status == 200, body
    return [item for item in body["items"] if item["type"] == message_type]


async def runs(office: Office, task: str) -> list[tuple[str, str, int, str]]:
    """The task's overpayment records as first signed: (from, to, months, amount)."""
    found = [o["payload"] for o in await outcomes(office, "overpayment/v1")]
    return [
        (o["period_from"], o["period_to"], o["months"], o["amount"])
        for o in found
        if o["task_id"] == task and o["recovered_amount"] == "0.00"
    ]


async def balance(office: Office, task: str) -> tuple[str, str, str]:
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    return body["amount"], body["remaining"], body["status"]


async def audited(office: Office, action: str) -> list[str]:
    entries = await office.client.app[STORE].audit_entries(0, 100_000)
    return [e.subject for e in entries if e.action == action]


async def confirmed(office: Office, died: date, paid_through: str) -> tuple[dict[str, Any], str]:
    """A person on the roster (paid through ``paid_through``) whose death on ``died`` the
    county confirmed: the person and the task."""
    person = office.people.person()
    await office.roster(person, paid_through=paid_through)
    return person, await office.confirmed_death(person, died)


async def reported(office: Office, person: dict[str, Any], died: date) -> int:
    """Another death report saying ``died``, accepted and approved: the amendment it opened
    (the last ``termination_amendment/v1``'s item), or 0 if it opened none."""
    before = len(await outcomes(office, AMENDMENT))
    certificate = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    await office.approved_report(office.death_report(person, died, certificate))
    found = await outcomes(office, AMENDMENT)
    return int(found[-1]["sequence"]) if len(found) > before else 0


async def listed(office: Office, **query: str) -> list[tuple[int, str]]:
    """(item, status) of each amendment ``GET /v1/termination-amendments`` lists."""
    status, page = await office.get("/v1/termination-amendments", **query)
    assert status == 200, page
    assert all(p["type"] == AMENDMENT for p in page["items"])
    return [(p["sequence"], p["status"]) for p in page["items"]]


async def approve(office: Office, item: int) -> tuple[int, dict[str, Any]]:
    status, body = await office.decide("termination-amendments", item, "town-1", "accept")
    assert status == 202, body
    return await office.decide("termination-amendments", item, "county-1", "approve")


async def test_the_readme_case_recovers_the_months_between_the_two_dates(office: Office) -> None:
    person, task = await confirmed(office, date(2026, 10, 15), "2026-12")
    assert await balance(office, task) == ("476.00", "476.00", "pending")

    item = await reported(office, person, date(2026, 6, 20))
    assert item, "no amendment opened"
    county = person["region"]["county"]
    assert await listed(office) == [(item, "received")]
    assert await listed(office, region=county) == [(item, "received")]
    assert await listed(office, region="440199") == []
    (opened,) = [o["payload"] for o in await outcomes(office, AMENDMENT)]
    assert (opened["task_id"], opened["event_date"], opened["amended_event_date"]) == (
        task,
        "2026-10-15",
        "2026-06-20",
    )
    # the record it rests on, for the hub to read; the same in words for people
    assert opened["rests_on"]["kind"] == "report", opened
    assert opened["source"] == f"report item {opened['rests_on']['id']} (2026-06-20)"
    assert await balance(office, task) == ("476.00", "476.00", "pending")  # nothing yet
    status, body = await approve(office, item)
    assert status == 202, body

    assert await runs(office, task) == [
        ("2026-11-01", "2026-12-31", 2, "476.00"),
        ("2026-07-01", "2026-10-31", 4, "952.00"),
    ]
    assert await balance(office, task) == ("1428.00", "1428.00", "pending")
    assert await listed(office) == []
    assert await listed(office, status="approved") == [(item, "approved")]
    terminations = [o["payload"] for o in await outcomes(office, "termination/v1")]
    assert [(t["event_date"], t["effective_from"]) for t in terminations] == [
        ("2026-10-15", "2026-10-15"),
        ("2026-06-20", "2026-06-20"),
    ]
    assert await audited(office, "termination_amended") == [task]
    status, shown = await office.get(f"/v1/verification-tasks/{task}")
    assert status == 200, shown
    assert "2026-07..2026-10 = 952.00" in shown["remarks"]


async def test_across_a_year_end(office: Office) -> None:
    person, task = await confirmed(office, date(2026, 1, 20), "2026-03")
    status, body = await approve(office, await reported(office, person, date(2025, 11, 30)))
    assert status == 202, body
    assert await runs(office, task) == [
        ("2026-02-01", "2026-03-31", 2, "476.00"),
        ("2025-12-01", "2026-01-31", 2, "476.00"),
    ]
    assert await balance(office, task) == ("952.00", "952.00", "pending")


async def test_to_a_leap_day_when_nothing_was_overpaid_before(office: Office) -> None:
    person, task = await confirmed(office, date(2024, 5, 10), "2024-05")
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (status, body["type"]) == (404, PROBLEM + "not-found")
    status, body = await approve(office, await reported(office, person, date(2024, 2, 29)))
    assert status == 202, body
    assert await runs(office, task) == [("2024-03-01", "2024-05-31", 3, "714.00")]
    assert await balance(office, task) == ("714.00", "714.00", "pending")


async def test_a_record_dating_it_later_or_in_the_same_month_is_linked(office: Office) -> None:
    person, task = await confirmed(office, date(2026, 10, 15), "2026-12")
    assert await reported(office, person, date(2026, 11, 2)) == 0
    assert await reported(office, person, date(2026, 10, 3)) == 0
    assert len(await audited(office, "report_linked")) == 2
    assert await outcomes(office, AMENDMENT) == []
    assert await balance(office, task) == ("476.00", "476.00", "pending")


async def test_a_second_amendment_after_the_first(office: Office) -> None:
    """Moved to 2026-06-20 (952.00), then to 2026-03-10: 2026-04..06 = 714.00 more."""
    person, task = await confirmed(office, date(2026, 10, 15), "2026-12")
    first = await reported(office, person, date(2026, 6, 20))
    # while it is open: a record no earlier is linked, one earlier still is refused
    assert await reported(office, person, date(2026, 6, 1)) == 0
    certificate = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    report = office.death_report(person, date(2026, 3, 10), certificate)
    status, receipt = await office.post("/v1/reports", "city", report)
    assert status == 202, receipt
    held = int(receipt["sequence"])
    assert (await office.decide("reports", held, "town-1", "accept"))[0] == 202
    size = await office.ledger_size()
    status, body = await office.decide("reports", held, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "conflict"), body
    assert await office.ledger_size() == size  # the refusal stored nothing

    assert (await approve(office, first))[0] == 202
    # decided: the held report is approved now and opens the second amendment
    status, body = await office.decide("reports", held, "county-1", "approve")
    assert status == 202, body
    (_, second) = await outcomes(office, AMENDMENT)
    assert (second["payload"]["event_date"], second["payload"]["amended_event_date"]) == (
        "2026-06-20",
        "2026-03-10",
    )
    assert (await approve(office, int(second["sequence"])))[0] == 202
    assert await runs(office, task) == [
        ("2026-11-01", "2026-12-31", 2, "476.00"),
        ("2026-07-01", "2026-10-31", 4, "952.00"),
        ("2026-04-01", "2026-06-30", 3, "714.00"),
    ]
    assert await balance(office, task) == ("2142.00", "2142.00", "pending")
    terminations = [o["payload"]["event_date"] for o in await outcomes(office, "termination/v1")]
    assert terminations == ["2026-10-15", "2026-06-20", "2026-03-10"]


async def test_a_rejected_amendment_recovers_nothing(office: Office) -> None:
    person, task = await confirmed(office, date(2026, 10, 15), "2026-12")
    item = await reported(office, person, date(2026, 6, 20))
    assert (await office.decide("termination-amendments", item, "town-1", "accept"))[0] == 202
    status, body = await office.decide("termination-amendments", item, "county-1", "reject")
    assert status == 202, body
    assert await runs(office, task) == [("2026-11-01", "2026-12-31", 2, "476.00")]
    assert await balance(office, task) == ("476.00", "476.00", "pending")
    assert len(await outcomes(office, "termination/v1")) == 1
    # rejected, it is no longer open: the next earlier record opens another
    assert await reported(office, person, date(2026, 5, 2)) > item


async def test_the_two_levels_and_their_signatures(office: Office) -> None:
    person, task = await confirmed(office, date(2026, 10, 15), "2026-12")
    item = await reported(office, person, date(2026, 6, 20))
    status, body = await office.decide("termination-amendments", item, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "decision-out-of-order"), body
    assert (await office.decide("termination-amendments", item, "town-1", "accept"))[0] == 202
    status, body = await office.decide("termination-amendments", item, "town-2", "approve")
    assert (status, body["type"]) == (403, PROBLEM + "county-approval-required"), body
    forged = {"actor": {"id": "county-1", "role": "county_reviewer"}}
    status, body = await office.decide(
        "termination-amendments", item, "town-2", "approve", **forged
    )
    assert (status, body["type"]) == (403, PROBLEM + "forged-role"), body
    assert await balance(office, task) == ("476.00", "476.00", "pending")


async def test_money_recovered_before_stays_counted(office: Office) -> None:
    """476.00 recovered in full, then the amendment: 952.00 remains, partly recovered."""
    person, task = await confirmed(office, date(2026, 10, 15), "2026-12")
    status, body = await office.post(
        f"/v1/overpayments/{task}/recoveries", "det-1", recovery(task, "476.00")
    )
    assert status == 202, body
    assert await balance(office, task) == ("476.00", "0.00", "recovered")
    assert (await approve(office, await reported(office, person, date(2026, 6, 20))))[0] == 202
    assert await balance(office, task) == ("1428.00", "952.00", "partially_recovered")


async def test_months_a_restoration_back_paid_are_recovered_when_the_death_moves(
    office: Office,
) -> None:
    """Suspended since the 10th of M(-4), paid through M(-4); staff's restoration back-paid
    M(-3)..M(-1) (714.00). A death on the 15th of M(-1) confirmed: nothing overpaid (the
    roster says suspended, M(-1) is the death month). A record dating it the 15th of M(-4):
    the months back-paid after it, M(-3)..M(-1) = 3 x 238.00 = 714.00, are recovered."""
    person, back_pay = await suspended_with_restoration(office)
    await office.approved("restorations", "town-1", back_pay)
    task = await office.confirmed_death(person, month_day(-1, 15))
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (status, body["type"]) == (404, PROBLEM + "not-found")

    assert (await approve(office, await reported(office, person, month_day(-4, 15))))[0] == 202
    assert await runs(office, task) == [
        (month_day(-3).isoformat(), month_end(-1).isoformat(), 3, "714.00")
    ]
    assert await balance(office, task) == ("714.00", "714.00", "pending")


async def test_a_written_off_overpayment_takes_no_more_months(office: Office) -> None:
    """476.00 written off: the amendment's approval is refused, stores nothing; rejected."""
    person, task = await confirmed(office, date(2026, 10, 15), "2026-12")
    asked = f"/v1/overpayments/{task}/write-offs"
    await office.approved("write-offs", "det-1", write_off(task, "476.00"), asked)
    item = await reported(office, person, date(2026, 6, 20))
    assert (await office.decide("termination-amendments", item, "town-1", "accept"))[0] == 202
    size = await office.ledger_size()
    status, body = await office.decide("termination-amendments", item, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "overpayment-settled"), body
    assert await office.ledger_size() == size
    assert await balance(office, task) == ("476.00", "0.00", "written_off")
    assert len(await outcomes(office, "termination/v1")) == 1
    status, body = await office.decide("termination-amendments", item, "county-1", "reject")
    assert status == 202, body
