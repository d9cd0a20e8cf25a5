"""Through the hub's HTTP API: what the numbers people read say of a held certification
(a person whose confirmed death stands certified: recorded, counted in the register,
nothing announced, a death task opened; tests/procedure/test_certified_dead.py).

Two pensioners on the roster: ``alive`` and ``dead`` (a cremation of the 3rd of M-2, the
county confirming the death: the hub's closure, the person terminated). Both certified in
the app this month: the living pensioner's certification announced, the dead person's held
(its death task ``task-held.<hash of sender and message id>`` opened). SQLite and
PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from heldkit import held_task, ministry_uplink
from procedurekit import Office, month_day, today
from questionkit import decision_wanted

from certhub.hub.rules.months import month_index, month_label


@pytest.fixture
def office_settings(tmp_path: Path) -> dict[str, Any]:
    """A ministry playing the uplink role (:func:`heldkit.ministry_uplink`)."""
    return ministry_uplink(tmp_path)


async def province_kpis(office: Office) -> dict[str, Any]:
    """This month's assessment figures of the province as one unit."""
    period = month_label(month_index(today()))
    status, body = await office.get("/v1/kpis", period=period)
    assert status == 200, body
    return dict(body["total"])


async def held_scene(office: Office) -> dict[str, Any]:
    """The two pensioners, the death confirmed, both certified in the app: the held task."""
    dead, alive = office.people.person(), office.people.person()
    for person in (dead, alive):
        await office.roster(person)
    await office.confirmed_death(dead, month_day(-2, 3))
    await office.certified_in_app(dead)
    await office.certified_in_app(alive)
    return await held_task(office, dead["id_number"])


async def test_a_held_certification_is_not_a_covered_person(office_db: Office) -> None:
    """The dead person is terminated: not among the people, not covered. The held task is a
    verification task as any other (tasks_resolved counts it once the county decides)."""
    office = office_db
    task = await held_scene(office)
    kpis = await province_kpis(office)
    # people: the living pensioner alone (the dead one terminated): 1; covered 1 of 1;
    # tasks resolved this month: the death's task (confirmed) = 1; the held one open
    assert (kpis["people"], kpis["covered"], kpis["coverage"]) == (1, 1, 1.0), kpis
    assert (kpis["tasks_resolved"], kpis["tasks_overdue"]) == (1, 0), kpis
    status, summary = await office.get("/v1/register/summary")
    assert status == 200, summary
    people = summary["people"]
    assert (people["on_roster"], people["certified"], people["terminated"]) == (2, 1, 1), people
    status, body = await office.step(task["task_id"], "county-1", "confirmed")
    assert status == 202, body
    # the death upheld: the held task resolved too, 1 + 1 = 2; still one person covered
    kpis = await province_kpis(office)
    assert (kpis["people"], kpis["covered"], kpis["tasks_resolved"]) == (1, 1, 2), kpis


@decision_wanted(
    "is a held certification of a person whose confirmed death"
    " stands a 'record' of the month (KPI records, mianban_share's denominator) and a"
    " person certified in the register summary's last_12_months? README says it 'counts in"
    " the register (the person stays terminated)'; the KPI definitions do not say"
)
async def test_a_held_certification_is_not_a_record_of_the_month(office_db: Office) -> None:
    """Today both count it: records 2 (the living pensioner's 1 + the held 1) and
    people_certified 2 in 12 months, while the person is terminated and nothing told
    anyone they are alive. Expected if held ones are not records: 1 and 1."""
    office = office_db
    await held_scene(office)
    kpis = await province_kpis(office)
    status, summary = await office.get("/v1/register/summary")
    assert status == 200, summary
    assert kpis["records"] == 1, kpis
    assert summary["last_12_months"]["people_certified"] == 1, summary
