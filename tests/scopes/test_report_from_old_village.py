"""A village coordinator reports a pensioner by the village it knew, the roster having moved
them: the report is kept as signed, its verification task goes to the person's office now.

The pensioner was registered in village A (town 440103001 of 荔湾区); the province's
roster now has them in village C (town 440103002, same county). A's coordinator reports
them missing, naming A as the filer and as the person's village. Before: 202, the report
reviewed in A's town (C's town: ``item-not-found``), and its task opened in A: listed to
A's readers only, stepped by A's town, ``task-not-found`` to C's town, which serves the
pensioner. Now the report is still accepted, kept and reviewed as signed (refusing it
would tell the coordinator where the person lives now), and the task opens in C, saying
the report came from A; a report naming the roster's village opens its task there as
before. Both ledgers.

The town that must verify such a task reads the evidence it carries: a confined reader
gets a file only where the citing record's sender uploaded it (29a28aa), and the task is
the hub's record, so C's town read 404 for the scan of the task it must verify (the
county still read it through A's report). A hub's record now counts through its
person's reports whose sender uploaded the file; a step citing another pensioner's
file opens nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from evidence_samples import pdf
from hubkit import REPORT_TYPES, with_area_staff
from procedure_fixtures import ledger_url
from procedurekit import PARTIES, STAFF, Office, open_office, today, trust_store
from scopekit import UNITS, A, C, X

from certhub.security import SigningKey

__all__ = ["ledger_url"]  # the fixture, SQLite then PostgreSQL

CONFINED = {
    "coord-a": ("coordinator", A),
    "town-x1": ("town_staff", A[:9]),  # A's town
    "town-x2": ("town_staff", C[:9]),  # C's town
    "county-x": ("county_reviewer", X),
}
ROLES = {party: role for party, (role, _) in CONFINED.items()}
OLD, NEW = {"county": X, "village": A}, {"county": X, "village": C}


@pytest.fixture
async def office(
    ledger_url: str | None, aiohttp_client: Callable[..., Any], tmp_path: Path
) -> AsyncIterator[Office]:
    """Every procedure party, A's coordinator, A's and C's town staff and the county."""
    keys = {party: SigningKey.generate() for party in [*PARTIES, *CONFINED]}
    sends = lambda role: REPORT_TYPES if role == "coordinator" else STAFF  # noqa: E731
    store = with_area_staff(trust_store(keys), keys, CONFINED, sends)
    office = await open_office(
        aiohttp_client, tmp_path / "data", keys, units=UNITS, store=store, database_url=ledger_url
    )
    yield office
    await office.client.close()  # before the database is dropped


def missing(office: Office, person: dict[str, Any]) -> dict[str, Any]:
    """A's coordinator's report that ``person`` went missing 20 days ago, filed in A."""
    return office.people.eligibility_report() | {
        "reason": "missing",
        "person": person,
        "region": OLD,
        "reporter": {"id": "coord-a", "role": "coordinator"},
        "event_date": (today() - timedelta(days=20)).isoformat(),
    }


async def reviewed(office: Office, report: dict[str, Any]) -> int:
    """``report`` filed by A's coordinator, accepted by A's town and approved by the county
    (C's town may not accept it: it is A's report); its item."""
    status, receipt = await office.post("/v1/reports", "coord-a", report)
    assert status == 202, receipt
    item = int(receipt["sequence"])
    accept = await office.decide("reports", item, "town-x2", "accept", role="town_staff")
    assert accept[0] == 404  # item-not-found
    for party, action in (("town-x1", "accept"), ("county-x", "approve")):
        status, body = await office.decide("reports", item, party, action, role=ROLES[party])
        assert status == 202, body
    return item


async def tasks_in(office: Office, area: str) -> list[dict[str, Any]]:
    """The verification tasks a reader confined to ``area`` lists."""
    response = await office.client.get(
        "/v1/verification-tasks", headers=office.bearer("province", area=area)
    )
    page = await response.json()
    assert response.status == 200, page
    return list(page["items"])


async def stepped(office: Office, task_id: str, party: str) -> int:
    """The status of ``party``'s step of ``task_id`` to in_progress."""
    return (await office.step(task_id, party, "in_progress", role=ROLES[party]))[0]


async def test_the_task_of_a_report_from_the_old_village_goes_where_the_roster_has_them(
    office: Office,
) -> None:
    person = office.people.person() | {"region": OLD}
    await office.roster(person | {"region": NEW})  # moved to C
    item = await reviewed(office, missing(office, person))

    # the report as signed: filed in A, naming the person in A, pulled in A
    response = await office.client.get("/v1/reports", headers=office.bearer("province", area=A))
    (pulled,) = (await response.json())["items"]
    assert pulled["sequence"] == item
    assert (pulled["payload"]["region"], pulled["payload"]["person"]["region"]) == (OLD, OLD)

    # the task: in C, listed to C's village and town, not to A's
    assert await tasks_in(office, A) == []
    assert await tasks_in(office, A[:9]) == []
    (task,) = await tasks_in(office, C)
    assert [t["task_id"] for t in await tasks_in(office, C[:9])] == [task["task_id"]]
    assert task["person"]["region"] == NEW
    assert task["sources"] == [str(item)]
    assert f"reported from {A}" in task["remarks"], task["remarks"]
    assert f"the roster has the person in {C}" in task["remarks"], task["remarks"]
    assert await stepped(office, task["task_id"], "town-x1") == 404  # task-not-found
    assert await stepped(office, task["task_id"], "town-x2") == 202  # before: 404

    # A's coordinator follows its report, and learns nothing of where the person is now
    status, mine = await office.get("/v1/my-reports", "coord-a")
    assert status == 200, mine
    (own,) = mine["items"]
    assert own["task"] == {"task_id": task["task_id"], "status": "in_progress", "disposal": None}


async def test_a_report_naming_the_roster_village_keeps_its_task_there(office: Office) -> None:
    person = office.people.person() | {"region": OLD}
    await office.roster(person)  # still in A
    item = await reviewed(office, missing(office, person))
    (task,) = await tasks_in(office, A)
    assert (task["sources"], task["person"]["region"]) == ([str(item)], OLD)
    assert task.get("remarks") is None
    assert await tasks_in(office, C[:9]) == []
    assert await stepped(office, task["task_id"], "town-x1") == 202


async def test_a_report_naming_the_county_alone_keeps_its_task_in_the_county(
    office: Office,
) -> None:
    person = office.people.person() | {"region": {"county": X}}
    await office.roster(person | {"region": NEW})
    report = missing(office, person) | {"region": {"county": X}}
    report["reporter"] = office.people.eligibility_report()["reporter"]  # the city's
    status, receipt = await office.post("/v1/reports", "city", report)
    assert status == 202, receipt
    await office.decide("reports", int(receipt["sequence"]), "town-1", "accept")
    await office.decide("reports", int(receipt["sequence"]), "county-1", "approve")
    (task,) = await tasks_in(office, X)
    assert (task["person"]["region"], task.get("remarks")) == ({"county": X, "village": None}, None)
    assert await tasks_in(office, C) == []  # a county's task, as before


def dead_citing(office: Office, person: dict[str, Any], digest: str) -> dict[str, Any]:
    """A's coordinator's report that ``person`` died five days ago, citing the scan
    ``digest``, filed in A."""
    scan = {"sha256": digest, "kind": "death_certificate", "media_type": "application/pdf"}
    return missing(office, person) | {
        "reason": "death",
        "event_date": (today() - timedelta(days=5)).isoformat(),
        "evidence": [scan],
    }


async def evidence_statuses(office: Office, digest: str, *readers: str) -> dict[str, int]:
    """What each reader's GET of the evidence ``digest`` answers."""
    answers = {}
    for reader in readers:
        response = await office.client.get(f"/v1/evidence/{digest}", headers=office.bearer(reader))
        await response.read()
        answers[reader] = response.status
    return answers


async def moved_and_reported_dead(office: Office) -> tuple[dict[str, Any], str]:
    """A pensioner of A the roster moved to C, reported dead by A's coordinator citing the
    scan it uploaded, the report accepted and approved: C's task and the scan's digest."""
    person = office.people.person() | {"region": OLD}
    await office.roster(person | {"region": NEW})
    scan = await office.upload(pdf("死亡证明 scanned in A"), "application/pdf", "coord-a")
    await reviewed(office, dead_citing(office, person, scan))
    (task,) = await tasks_in(office, C)
    return task, scan


async def test_the_town_verifying_the_moved_person_s_task_reads_its_evidence(
    office: Office,
) -> None:
    task, scan = await moved_and_reported_dead(office)
    assert [e["sha256"] for e in task["evidence"]] == [scan]  # the task C verifies cites it
    # the county reads it through A's report; C's town through the task of its person
    assert await evidence_statuses(office, scan, "county-x", "town-x2") == {
        "county-x": 200,
        "town-x2": 200,
    }


async def test_a_step_citing_another_pensioner_s_file_opens_nothing(office: Office) -> None:
    """C's town steps its task citing the scan of another pensioner's report in A (a
    digest seen elsewhere): the task, the hub's record, now cites it, but no report of
    the task's person does, so C's town still reads 404 for it."""
    task, _ = await moved_and_reported_dead(office)
    neighbour = office.people.person() | {"region": OLD}
    await office.roster(neighbour)
    theirs = await office.upload(pdf("死亡证明 of a neighbour in A"), "application/pdf", "coord-a")
    await reviewed(office, dead_citing(office, neighbour, theirs))
    cited = {"sha256": theirs, "kind": "death_certificate", "media_type": "application/pdf"}
    status, body = await office.step(
        task["task_id"], "town-x2", "in_progress", role="town_staff", evidence=[cited]
    )
    assert status == 202, body
    (task,) = await tasks_in(office, C)
    assert theirs in [e["sha256"] for e in task["evidence"]]
    assert await evidence_statuses(office, theirs, "town-x2", "town-x1") == {
        "town-x2": 404,
        "town-x1": 200,
    }
