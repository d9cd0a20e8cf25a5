"""A staff key confined to an area decides only inside it: accepting or approving an item,
or stepping a verification task, of a place outside is refused as if it did not exist.

A town's or county's key reads only its area (README, "Coordinators' enrolment and area
scopes"); the same key confirming a death two counties away would stop a pension it may
not even read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hubkit import with_area_staff
from procedurekit import PARTIES, STAFF, Office, open_office, recovery, today, trust_store
from scopekit import UNITS, VILLAGES, A, D

from certhub.schemas import problem_type_uri
from certhub.security import SigningKey

CONFINED = {
    "town-x1": ("town_staff", A[:9]),  # A's town of 荔湾区
    "county-x": ("county_reviewer", VILLAGES[A]),  # 荔湾区; D is in 福田区
    "det-x": ("benefit_determiner", VILLAGES[A]),
}
ROLES = {party: role for party, (role, _) in CONFINED.items()}


@pytest.fixture
async def office(aiohttp_client: Callable[..., Any], tmp_path: Path) -> Office:
    """A hub with every procedure party, and town and county staff confined to their areas."""
    keys = {party: SigningKey.generate() for party in [*PARTIES, *CONFINED]}
    store = with_area_staff(trust_store(keys), keys, CONFINED, lambda role: STAFF)
    return await open_office(aiohttp_client, tmp_path / "data", keys, units=UNITS, store=store)


def death(office: Office, village: str) -> dict[str, Any]:
    person = office.people.person() | {"region": {"county": VILLAGES[village], "village": village}}
    return office.people.eligibility_report() | {
        "reason": "missing",
        "person": person,
        "region": person["region"],
        "event_date": (today() - timedelta(days=20)).isoformat(),
    }


async def decide(office: Office, item: int, party: str, action: str) -> tuple[int, Any]:
    payload = {
        "type": "decision/v1",
        "subject_id": str(item),
        "action": action,
        "actor": {"id": party, "role": ROLES[party]},
        "decided_at": datetime.now(UTC).isoformat(),
        "reasons": [],
    }
    return await office.post(f"/v1/reports/{item}/decisions", party, payload)


async def step(office: Office, task: str, party: str, to: str) -> tuple[int, Any]:
    payload = {
        "type": "task_transition/v1",
        "task_id": task,
        "to_status": to,
        "actor": {"id": party, "role": ROLES[party]},
        "at": datetime.now(UTC).isoformat(),
    }
    return await office.post(f"/v1/verification-tasks/{task}/transitions", party, payload)


async def test_confined_staff_decide_and_verify_inside_their_area(office: Office) -> None:
    status, receipt = await office.post("/v1/reports", "city", death(office, A))
    assert status == 202, receipt
    item = receipt["sequence"]
    assert (await decide(office, item, "town-x1", "accept"))[0] == 202
    assert (await decide(office, item, "county-x", "approve"))[0] == 202
    assert (await step(office, f"task-{item}", "county-x", "in_progress"))[0] == 202


async def test_confined_staff_cannot_decide_or_verify_elsewhere(office: Office) -> None:
    status, receipt = await office.post("/v1/reports", "city", death(office, D))
    assert status == 202, receipt
    item = receipt["sequence"]
    before = await office.ledger_size()
    status, problem = await decide(office, item, "town-x1", "accept")
    assert (status, problem["type"]) == (404, problem_type_uri("item-not-found")), problem
    assert (await office.decide("reports", item, "town-1", "accept"))[0] == 202
    status, problem = await decide(office, item, "county-x", "approve")
    assert (status, problem["type"]) == (404, problem_type_uri("item-not-found")), problem
    missing = await decide(office, 10**9, "county-x", "approve")
    assert problem["detail"] == missing[1]["detail"].replace(str(10**9), str(item))
    assert (await office.decide("reports", item, "county-1", "approve"))[0] == 202
    before = await office.ledger_size()
    status, problem = await step(office, f"task-{item}", "county-x", "in_progress")
    assert (status, problem["type"]) == (404, problem_type_uri("task-not-found")), problem
    missing = await step(office, "task-999999", "county-x", "in_progress")
    assert problem["detail"] == missing[1]["detail"].replace("task-999999", f"task-{item}")
    assert await office.ledger_size() == before
    status, task = await office.get(f"/v1/verification-tasks/task-{item}")
    assert (status, task["status"]) == (200, "open")


async def test_confined_staff_recover_only_overpayments_they_may_read(office: Office) -> None:
    """A determiner of 荔湾区 records no sum recovered, and asks no write-off, on an
    overpayment of 福田区: marked recovered there, nobody would recover it any more."""
    person = office.people.person() | {"region": {"county": VILLAGES[D], "village": D}}
    await office.roster(person)  # paid through this month
    task = await office.confirmed_death(person, today().replace(day=1) - timedelta(days=70))
    status, balance = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, balance
    actor = {"actor": {"id": "det-x", "role": "benefit_determiner"}}
    amount = balance["amount"]
    assert amount == "714.00"  # M-2..M0 paid after a death in M-3, 238.00 a month
    paths = {"recovery/v1": "recoveries", "write_off/v1": "write-offs"}
    for payload in (
        recovery(task, amount) | actor,
        recovery(task, amount) | actor | {"type": "write_off/v1", "reason": "无遗产可追"},
    ):
        for key in ("source", "recovered_on") if payload["type"] == "write_off/v1" else ():
            del payload[key]
        path = f"/v1/overpayments/{task}/{paths[payload['type']]}"
        status, problem = await office.post(path, "det-x", payload)
        assert (status, problem["type"]) == (404, problem_type_uri("overpayment-not-found")), (
            problem
        )
    status, after = await office.get(f"/v1/overpayments/{task}")
    assert (after["recovered"], after["status"]) == ("0.00", balance["status"])
    status, receipt = await office.post(
        f"/v1/overpayments/{task}/recoveries", "det-1", recovery(task, amount)
    )
    assert status == 202, receipt
