"""Through the hub's HTTP API, on SQLite and PostgreSQL: a report of loss of eligibility left
undecided is reminded and escalated, each once, and listed — never decided by the hub.

While a report is under review the person's restorations are refused and their 免办
withheld; it is to be decided within ``CERTHUB_REPORT_REVIEW_DAYS`` (15) days of its filing
(the receipt's ``received_at``). The sweep runs at chosen moments (the hub's minute loop
runs the same code at the present one); each record it signs is pulled by the provincial
system and verifies against the hub's published keys. Boundaries to the second, in China
time and at month ends, are ``tests/store/test_report_deadline_marks.py``'s.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from deadlinekit import signed_records
from procedurekit import UNITS, Office, open_office

from certhub.hub.core.keys import METRICS, STORE
from certhub.hub.procedure.deadlines import DeadlineSweep
from certhub.security import SigningKey


async def filed(office: Office) -> tuple[int, datetime, dict[str, Any]]:
    """A death report sent by the city and left undecided: its item, when it was filed, and
    the person it names."""
    person = office.people.person()
    report = office.people.eligibility_report() | {
        "reason": "death", "person": person, "region": person["region"],
    }  # fmt: skip
    status, receipt = await office.post("/v1/reports", "city", report)
    assert status == 202, receipt
    return int(receipt["sequence"]), datetime.fromisoformat(receipt["received_at"]), person


def sweep(office: Office) -> DeadlineSweep:
    """The hub's sweep with its settings (15 days to decide, reminded 5 before)."""
    return DeadlineSweep.of(office.client.app)


async def records(office: Office) -> list[dict[str, Any]]:
    """The ``report_deadline/v1`` records pulled, verified."""
    return await signed_records(office, "report_deadline/v1")


async def listed(office: Office, item: int, **params: str) -> list[dict[str, Any]]:
    status, page = await office.get("/v1/report-deadlines", **params)
    assert status == 200, page
    return [row for row in page["items"] if row["item_id"] == item]


def overdue(office: Office) -> float:
    metric = office.client.app[METRICS].reports_under_review_overdue.labels(reason="death")
    return float(metric._value.get())


async def test_an_undecided_report_is_reminded_then_escalated_and_never_decided(
    office_db: Office,
) -> None:
    item, at, person = await filed(office_db)
    due = at + timedelta(days=15)
    (row,) = await listed(office_db, item)
    assert datetime.fromisoformat(row["due_at"]) == due
    assert datetime.fromisoformat(row["filed_at"]) == at
    assert (row["status"], row["overdue"], row["reminded_at"], row["escalated_at"]) == (
        "received", False, None, None,
    )  # fmt: skip
    assert row["county"] == person["region"]["county"]

    hub = sweep(office_db)
    assert await hub.sweep(due - timedelta(days=5, seconds=1)) == 0
    assert await hub.sweep(due - timedelta(days=5)) == 1
    assert await hub.sweep(due) == 0  # reminded once; due, not yet overdue
    assert (await office_db.decide("reports", item, "town-1", "accept"))[0] == 202
    assert await hub.sweep(due + timedelta(seconds=1)) == 1
    assert await hub.sweep(due + timedelta(days=40)) == 0
    reminder, escalation = await records(office_db)
    assert (reminder["stage"], reminder["addressed_to"], reminder["status"]) == (
        "reminder", "town", "received",
    )  # fmt: skip
    assert (escalation["stage"], escalation["addressed_to"], escalation["status"]) == (
        "escalated", "city", "accepted",
    )  # fmt: skip
    assert escalation["person"] == person
    assert escalation["item"] == str(item)
    assert datetime.fromisoformat(escalation["due_at"]) == due
    assert overdue(office_db) == 1

    store = office_db.client.app[STORE]
    decision = await store.get_item(item)
    assert decision is not None
    assert (decision.status, decision.decided_by) == ("accepted", None)  # the hub decided nothing
    (row,) = await listed(office_db, item)
    assert row["status"] == "accepted"
    assert row["reminded_at"] is not None
    assert row["escalated_at"] is not None
    status, body = await office_db.decide("reports", item, "county-1", "approve")
    assert status == 202, body
    assert await listed(office_db, item) == []
    await hub.sweep(due + timedelta(days=41))
    assert overdue(office_db) == 0


async def test_a_report_decided_in_time_is_never_escalated(office_db: Office) -> None:
    item, at, _ = await filed(office_db)
    assert (await office_db.decide("reports", item, "town-1", "accept"))[0] == 202
    status, body = await office_db.decide("reports", item, "county-1", "reject")
    assert status == 202, body
    hub = sweep(office_db)
    assert await hub.sweep(at + timedelta(days=14)) == 0
    assert await hub.sweep(at + timedelta(days=90)) == 0
    assert await records(office_db) == []
    assert await listed(office_db, item) == []
    assert overdue(office_db) == 0


async def test_the_list_its_overdue_filter_and_its_bad_parameters(office_db: Office) -> None:
    item, _, person = await filed(office_db)
    assert await listed(office_db, item, overdue="true") == []  # due in 15 days
    assert len(await listed(office_db, item, region=person["region"]["county"])) == 1
    status, page = await office_db.get("/v1/report-deadlines", limit="1")
    assert (status, len(page["items"]), page["next_cursor"]) == (200, 1, str(item))
    for params in ({"overdue": "yes"}, {"region": "44"}, {"after": "a"}):
        status, problem = await office_db.get("/v1/report-deadlines", **params)
        assert status == 400, problem
        assert problem["type"].endswith(":invalid-parameter")


async def test_the_days_to_decide_come_from_the_settings(
    aiohttp_client: Any, tmp_path: Path, keys: dict[str, SigningKey], monkeypatch: Any
) -> None:
    monkeypatch.setenv("CERTHUB_REPORT_REVIEW_DAYS", "20")
    office = await open_office(aiohttp_client, tmp_path / "twenty", keys, units=UNITS)
    item, at, _ = await filed(office)
    (row,) = await listed(office, item)
    assert datetime.fromisoformat(row["due_at"]) == at + timedelta(days=20)
    hub = sweep(office)
    assert await hub.sweep(at + timedelta(days=15, seconds=1)) == 1  # a reminder, 5 days before
    assert [r["stage"] for r in await records(office)] == ["reminder"]
