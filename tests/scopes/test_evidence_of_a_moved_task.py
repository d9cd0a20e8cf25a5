"""The town that must verify a task reads the evidence the task cites.

A's coordinator uploads a scan and cites it in a report of a pensioner the roster has
since moved to village C (another town of the same county): the report is kept in A,
its verification task opens in C and carries the report's evidence (rules.tasks), and
C's town is the office that verifies it. Since 29a28aa a confined reader gets a file only
where the citing record's sender uploaded it: the task is the hub's record, the uploader
is A's coordinator, so C's town read 404 for the scan of the task it must verify, though
the task lists its digest (the county still read it through A's report). A hub's record
now counts through its person's reports whose sender uploaded the file. Both ledgers.
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
    "town-x2": ("town_staff", C[:9]),  # C's town: the task's
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


async def reported_dead(office: Office, person: dict[str, Any], scan: bytes) -> str:
    """A's coordinator uploads ``scan`` and reports ``person`` dead in A citing it; the town
    of A accepts and the county approves. The scan's digest."""
    digest = await office.upload(scan, "application/pdf", "coord-a")
    report = office.people.eligibility_report() | {
        "reason": "death",
        "person": person,
        "region": OLD,
        "reporter": {"id": "coord-a", "role": "coordinator"},
        "event_date": (today() - timedelta(days=5)).isoformat(),
        "evidence": [
            {"sha256": digest, "kind": "death_certificate", "media_type": "application/pdf"}
        ],
    }
    status, receipt = await office.post("/v1/reports", "coord-a", report)
    assert status == 202, receipt
    item = int(receipt["sequence"])
    for party, action in (("town-x1", "accept"), ("county-x", "approve")):
        status, body = await office.decide("reports", item, party, action, role=ROLES[party])
        assert status == 202, body
    return digest


async def c_s_task(office: Office) -> dict[str, Any]:
    """The one verification task C's town lists."""
    response = await office.client.get("/v1/verification-tasks", headers=office.bearer("town-x2"))
    page = await response.json()
    assert response.status == 200, page
    (task,) = page["items"]
    return dict(task)


async def statuses(office: Office, digest: str, *readers: str) -> dict[str, int]:
    """What each reader's GET of the evidence ``digest`` answers."""
    answers = {}
    for reader in readers:
        response = await office.client.get(f"/v1/evidence/{digest}", headers=office.bearer(reader))
        await response.read()
        answers[reader] = response.status
    return answers


async def test_the_town_verifying_a_moved_person_s_task_reads_its_evidence(
    office: Office,
) -> None:
    person = office.people.person() | {"region": OLD}
    await office.roster(person | {"region": NEW})  # moved to C
    scan = await reported_dead(office, person, pdf("死亡证明 scanned in A"))
    task = await c_s_task(office)
    assert [e["sha256"] for e in task["evidence"]] == [scan]  # the task C verifies cites it
    # the county reads it through A's report; C's town through the task of its person
    assert await statuses(office, scan, "county-x", "town-x2") == {
        "county-x": 200,
        "town-x2": 200,
    }


async def test_a_step_citing_another_person_s_file_opens_nothing(office: Office) -> None:
    """C's town steps its task citing the scan of another pensioner's report in A (a
    digest seen elsewhere): the task, the hub's record, now cites it, but no report of
    the task's person does, so C's town still reads 404 for it."""
    person = office.people.person() | {"region": OLD}
    await office.roster(person | {"region": NEW})
    await reported_dead(office, person, pdf("死亡证明 of the moved pensioner"))
    other = office.people.person() | {"region": OLD}
    await office.roster(other)
    theirs = await reported_dead(office, other, pdf("死亡证明 of a neighbour in A"))
    task = await c_s_task(office)
    cited = {"sha256": theirs, "kind": "death_certificate", "media_type": "application/pdf"}
    status, body = await office.step(
        task["task_id"], "town-x2", "in_progress", role="town_staff", evidence=[cited]
    )
    assert status == 202, body
    assert theirs in [e["sha256"] for e in (await c_s_task(office))["evidence"]]
    assert await statuses(office, theirs, "town-x2", "town-x1") == {
        "town-x2": 404,
        "town-x1": 200,
    }
