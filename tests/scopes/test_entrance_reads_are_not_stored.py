"""What the coordinators' entrance reads is never kept by a cache on the way or in the phone.

A village coordinator's phone is shared, lost, or used on a township office's proxy.
Every read of personal data answers ``Cache-Control: no-store``, as the lists and
``/v1/my-reports`` already did, so neither the browser's HTTP cache nor an
intermediary keeps a pensioner's ID number, name or verification after the answer.
"""

from __future__ import annotations

from datetime import timedelta

from procedurekit import Office, today
from scopekit import A, X


async def test_every_read_the_entrance_makes_says_no_store(office: Office) -> None:
    """Before, a verification task read alone (full ID number, name, what was reported),
    the village's reporting compliance and its month's counts came without a
    Cache-Control header: a heuristic cache may keep a 200 without one."""
    person = office.people.person() | {"region": {"county": X, "village": A}}
    await office.roster(person)
    report = office.people.eligibility_report() | {
        "reason": "missing",
        "event_date": (today() - timedelta(days=20)).isoformat(),
        "person": person,
        "region": person["region"],
    }
    await office.approved_report(report)
    status, tasks = await office.get("/v1/verification-tasks", "coord-a", region=A)
    assert status == 200, tasks
    (task,) = tasks["items"]
    month = today().strftime("%Y-%m")
    for path in (
        f"/v1/verification-tasks/{task['task_id']}",
        f"/v1/verification-tasks?region={A}",
        f"/v1/register/people?area={A}",
        f"/v1/compliance?period={month}",
        f"/v1/stats?period={month}&group_by=reason",
        "/v1/my-reports?limit=50",
    ):
        response = await office.client.get(path, headers=office.bearer("coord-a"))
        assert response.status == 200, (path, await response.text())
        assert response.headers.get("Cache-Control") == "no-store", path
