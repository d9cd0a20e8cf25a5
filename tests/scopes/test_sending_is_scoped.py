"""A key confined to an area speaks only for it: a village coordinator files for its village.

The area was given for reading; a coordinator's phone filing a report or a
zero report for another village would register what it may not even read.
"""

from __future__ import annotations

from typing import Any

from latekit import label
from procedurekit import Office
from scopekit import A, B, X

from certhub.schemas import problem_type_uri


def report(office: Office, party: str, village: str) -> dict[str, Any]:
    region = {"county": X, "village": village}
    return office.people.eligibility_report() | {
        "reason": "missing",
        "person": office.people.person() | {"region": region},
        "region": region,
        "reporter": {"id": party, "role": "coordinator"},
    }


async def test_a_coordinator_reports_for_its_own_village_only(office: Office) -> None:
    status, receipt = await office.post("/v1/reports", "coord-a", report(office, "coord-a", A))
    assert status == 202, receipt
    before = await office.ledger_size()
    status, problem = await office.post("/v1/reports", "coord-a", report(office, "coord-a", B))
    assert (status, problem["type"]) == (403, problem_type_uri("area-not-permitted"))
    zero = {
        "type": "zero_report/v1",
        "reporter": {"id": "coord-a", "role": "coordinator"},
        "region": {"county": X, "village": B},
        "period": label(0),  # this month in China, not the machine's UTC month
        "count": 0,
    }
    status, problem = await office.post("/v1/reports", "coord-a", zero)
    assert (status, problem["type"]) == (403, problem_type_uri("area-not-permitted"))
    assert await office.ledger_size() == before


async def test_a_coordinator_reports_only_people_of_its_village(office: Office) -> None:
    """Filed as its own village's report, a report about a pensioner registered next door is
    still about next door: the phone reads only its village, and a lost phone must not be
    able to report the death of anyone in the province by naming its own village."""
    next_door = report(office, "coord-a", A)
    next_door["person"] = next_door["person"] | {"region": {"county": X, "village": B}}
    before = await office.ledger_size()
    status, problem = await office.post("/v1/reports", "coord-a", next_door)
    assert (status, problem["type"]) == (403, problem_type_uri("area-not-permitted"))
    assert await office.ledger_size() == before
    status, page = await office.get("/v1/my-reports", "coord-a")
    assert (status, page["items"]) == (200, [])
