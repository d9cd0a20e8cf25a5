"""Verification tasks are held to their deadlines: reminded, escalated, each once, and listed.

A task opens when the county approves a reported death; the sweep is run at
chosen moments (the hub's minute loop runs the same code at the present
moment). Every record it makes is pulled by the provincial system and verifies
against the hub's published keys.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from deadlinekit import signed_records
from procedurekit import Office, today

from certhub.hub.core.keys import METRICS, PROCEDURE, STORE
from certhub.hub.procedure.deadlines import DeadlineSweep


async def open_task(office: Office) -> dict[str, Any]:
    """A reported death, approved: the verification task it opened."""
    person = office.people.person()
    await office.roster(person)
    return await office.reported_death(person, today() - timedelta(days=5))


def sweep(office: Office, reminder_days: int = 5) -> DeadlineSweep:
    app = office.client.app
    return DeadlineSweep(
        app[STORE], app[PROCEDURE].outcomes, app[METRICS], reminder_days=reminder_days
    )


async def deadline_records(office: Office) -> list[dict[str, Any]]:
    """The ``task_deadline/v1`` records pulled, verified."""
    return await signed_records(office, "task_deadline/v1")


def gauge(office: Office, kind: str) -> float:
    metric = office.client.app[METRICS].verification_tasks_overdue.labels(kind=kind)
    return float(metric._value.get())


async def test_a_task_is_reminded_before_and_escalated_after_its_deadline_once_each(
    office: Office,
) -> None:
    task = await open_task(office)
    opened = datetime.fromisoformat(task["opened_at"])
    due = opened + timedelta(days=30)  # a death: 30 days unless configured
    status, page = await office.get("/v1/task-deadlines")
    assert status == 200
    (row,) = [r for r in page["items"] if r["task_id"] == task["task_id"]]
    assert datetime.fromisoformat(row["due_at"]) == due
    assert (row["overdue"], row["reminded_at"], row["escalated_at"]) == (False, None, None)

    hub = sweep(office)
    assert await hub.sweep(due - timedelta(days=6)) == 0
    assert await hub.sweep(due - timedelta(days=5)) == 1
    assert await hub.sweep(due - timedelta(days=1)) == 0  # reminded once
    (reminder,) = await deadline_records(office)
    assert reminder["stage"] == "reminder"
    assert reminder["addressed_to"] == "town"
    assert reminder["task_id"] == task["task_id"]
    assert datetime.fromisoformat(reminder["due_at"]) == due
    assert gauge(office, "death") == 0

    late = due + timedelta(days=3)
    # two processes sweeping at once: the escalation is recorded by one of them only
    counts = await asyncio.gather(hub.sweep(late), sweep(office).sweep(late))
    assert sorted(counts) == [0, 1]
    _, escalation = await deadline_records(office)
    assert (escalation["stage"], escalation["addressed_to"]) == ("escalated", "county")
    assert gauge(office, "death") == 1
    assert await hub.sweep(late + timedelta(days=30)) == 0


async def test_a_task_disposed_of_in_time_is_never_escalated(office: Office) -> None:
    task = await open_task(office)
    status, body = await office.step(task["task_id"], "county-1", "cleared")
    assert status == 202, body
    opened = datetime.fromisoformat(task["opened_at"])
    assert await sweep(office).sweep(opened + timedelta(days=90)) == 0
    assert await deadline_records(office) == []
    _, page = await office.get("/v1/task-deadlines")
    assert task["task_id"] not in [r["task_id"] for r in page["items"]]


async def test_the_overdue_list_and_its_bad_parameters(office: Office) -> None:
    task = await open_task(office)
    status, page = await office.get("/v1/task-deadlines", overdue="true")
    assert status == 200
    assert page["items"] == []  # due in 30 days
    status, page = await office.get("/v1/task-deadlines", region=task["person"]["region"]["county"])
    assert [r["task_id"] for r in page["items"]] == [task["task_id"]]
    for params in ({"overdue": "yes"}, {"region": "44"}, {"after": "a b"}):
        status, problem = await office.get("/v1/task-deadlines", **params)
        assert status == 400, problem
        assert problem["type"].endswith(":invalid-parameter")


async def test_a_shorter_deadline_from_the_settings_applies_to_new_tasks(office: Office) -> None:
    office.client.app[PROCEDURE].deadline_days.update({"death": 10})  # type: ignore[attr-defined]
    task = await open_task(office)
    _, page = await office.get("/v1/task-deadlines")
    (row,) = [r for r in page["items"] if r["task_id"] == task["task_id"]]
    opened = datetime.fromisoformat(task["opened_at"])
    assert datetime.fromisoformat(row["due_at"]) == opened + timedelta(days=10)
    assert datetime.now(UTC) < opened + timedelta(days=10)


async def test_a_village_code_lists_that_village_s_deadlines_only(office: Office) -> None:
    """Two deaths in one county, in villages ``…001201`` and ``…001202``: each village's code
    lists its own task only (before: every task of the county, as the task list does not),
    the county's code both."""
    first, second = office.people.person(), office.people.person()
    county = first["region"]["county"]
    first["region"] = {"county": county, "village": f"{county}001201"}
    second["region"] = {"county": county, "village": f"{county}001202"}
    tasks = []
    for person in (first, second):
        await office.roster(person)
        died = today() - timedelta(days=5)
        tasks.append((await office.reported_death(person, died))["task_id"])

    async def listed(region: str) -> list[str]:
        status, page = await office.get("/v1/task-deadlines", region=region)
        assert status == 200, page
        return sorted(r["task_id"] for r in page["items"] if r["task_id"] in tasks)

    assert await listed(f"{county}001201") == [tasks[0]]
    assert await listed(f"{county}001202") == [tasks[1]]
    assert await listed(county) == sorted(tasks)
