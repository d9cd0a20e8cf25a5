"""Issue 17, reversals: a death a department wrongly registered, then voided, is restored by people.

A cremation record (grade A) from civil affairs opens a death task through
``certhub compare run``; the county confirms it and the hub terminates the
benefit. Next month civil affairs voids the record: the termination is voided,
a ``restoration/v1`` filed by town staff is accepted and approved through the
HTTP API, and the person is no longer read as terminated. Without the void, or
when a person's report stands behind the death, the same restoration is refused.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase
from procedurekit import Office, restoration, today

from certhub.hub.core.keys import STORE
from certhub.hub.rules.months import month_index, month_label, parse_month
from certhub.mocks.population import Population
from certhub.schemas import VerificationTask

PROBLEM = "urn:certhub:problem:"


def _this_month() -> int:
    return month_index(today())


def _died_in() -> str:  # the month of the (false) cremation record
    return month_label(_this_month() - 2)


def _voided_in() -> str:  # the month civil affairs withdraws it
    return month_label(_this_month() - 1)


def _died() -> date:
    return parse_month(_died_in()) + timedelta(days=2)


def _case(tmp: Path) -> ComparisonCase:
    """One person, cremated in M(-2) by a civil-affairs record voided in M(-1)."""
    person = Population(seed=11).person()
    number = person["id_number"]
    feeds = {
        _died_in(): f"C1,{number},某人,,,cremation,{_died().isoformat()},\n",
        _voided_in(): f"V1,{number},某人,,,void,{_voided_in()}-02,C1\n",
    }
    return ComparisonCase.prepare(tmp, [person], feeds)


async def _death_task(office: Office) -> str:
    status, page = await office.get("/v1/verification-tasks", status="open")
    assert status == 200, page
    (task,) = page["items"]
    return str(task["task_id"])


async def _terminated(office: Office) -> int:
    status, body = await office.get("/v1/register/summary", on=today().isoformat())
    assert status == 200, body
    return int(body["people"]["terminated"])


async def _confirmed(office: Office, task_id: str) -> None:
    assert (await office.step(task_id, "town-1", "in_progress"))[0] == 202
    status, body = await office.step(
        task_id, "county-1", "confirmed", event_date=_died().isoformat()
    )
    assert status == 202, body


def _restoration(person: dict[str, Any]) -> dict[str, Any]:
    """Restored this month, back pay for last month (the roster paid through the death's
    month: the month after it is the first unpaid), stopped on the termination's day."""
    request = restoration(person, _died())
    assert request["back_pay_from"] == f"{_voided_in()}-01"
    assert request["back_pay_amount"] == "238.00"  # one month × the roster's 238.00
    return request


async def test_a_voided_death_is_restored_by_people_and_the_person_is_no_longer_terminated(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    hub = _case(tmp_path)
    number = hub.person["id_number"]
    assert (await hub.compare(_died_in()))["reports"] == {"task_opened": 1}

    office = await hub.office(aiohttp_client)
    await office.roster(hub.person, paid_through=_died_in())
    task_id = await _death_task(office)
    await _confirmed(office, task_id)
    # the province applies the hub's termination: it stops paying after the death's month
    await office.roster(hub.person, status="terminated", paid_through=_died_in())
    assert await _terminated(office) == 1
    status, body = await office.post("/v1/restorations", "town-1", _restoration(hub.person))
    assert (status, body["type"]) == (409, PROBLEM + "restoration-not-suspended"), body
    await office.client.close()

    ledger = await hub.compare(_voided_in())  # civil affairs withdraws its cremation record
    assert ledger["reversals"] == {"restoration_proposed": 1}
    office = await hub.office(aiohttp_client)
    store = office.client.app[STORE]
    task = VerificationTask.model_validate_json((await store.get_task(task_id)).snapshot)
    assert task.status == "confirmed"  # the machine never undoes a person's decision
    assert "restoration proposed for review" in (task.remarks or "")

    status, body = await office.post("/v1/restorations", "town-1", _restoration(hub.person))
    assert status == 202, body
    item = int(body["sequence"])
    assert await store.closed_benefit(number) is not None  # filed is not restored
    # a month is back-paid once: a second request for it is refused by the ledger's key
    status, body = await office.post("/v1/restorations", "town-1", _restoration(hub.person))
    assert (status, body["type"]) == (409, PROBLEM + "months-already-counted"), body
    status, body = await office.decide("restorations", item, "town-1", "accept")
    assert status == 202, body
    status, body = await office.decide("restorations", item, "county-1", "approve")
    assert status == 202, body

    assert await store.closed_benefit(number) is None
    assert await store.counted_months(number, "back_paid") == {_voided_in()}
    # once the province applies the approved restoration, the register reads them active
    await office.roster(hub.person, paid_through=_voided_in())
    assert await _terminated(office) == 0


async def test_a_death_a_person_reported_stays_terminated_after_the_departments_void(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    hub = _case(tmp_path)
    office = await hub.office(aiohttp_client)
    report = office.people.eligibility_report() | {
        "reason": "death", "person": hub.person, "event_date": _died().isoformat(),
        "region": hub.person["region"],
    }  # fmt: skip
    item = await office.approved_report(report)
    await office.client.close()
    assert (await hub.compare(_died_in()))["reports"] == {"task_joined": 1}

    office = await hub.office(aiohttp_client)
    await office.roster(hub.person, paid_through=_died_in())
    await _confirmed(office, f"task-{item}")
    await office.roster(hub.person, status="terminated", paid_through=_died_in())
    await office.client.close()
    await hub.compare(_voided_in())  # the department withdraws its record; the report stands

    office = await hub.office(aiohttp_client)
    row = await office.client.app[STORE].get_task(f"task-{item}")
    task = VerificationTask.model_validate_json(row.snapshot)
    assert task.status == "confirmed"
    assert "restoration" not in (task.remarks or "")  # no proposal: not voided
    before = await office.ledger_size()
    status, body = await office.post("/v1/restorations", "town-1", _restoration(hub.person))
    assert (status, body["type"]) == (409, PROBLEM + "restoration-not-suspended"), body
    assert await office.ledger_size() == before
    assert await office.client.app[STORE].closed_benefit(hub.person["id_number"]) is not None
