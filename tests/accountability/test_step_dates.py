"""A task's step is dated by the office that takes it: the timeliness KPIs read that date.

By hand: a death reported and confirmed today is one task resolved this month. A
step dated weeks ahead of the hub's clock moved it into a month that has not begun
(``tasks_resolved`` 0 now, 1 in a month where nothing happened).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from procedurekit import Office

from certhub.hub.cli.demo_month_messages import months_ago, this_month

COUNTY, VILLAGE = "440103", "440103001201"


async def test_a_step_dated_ahead_of_the_hubs_clock_is_refused(office: Office) -> None:
    person = office.people.person() | {"region": {"county": COUNTY, "village": VILLAGE}}
    await office.roster(person)
    task = (await office.reported_death(person, months_ago(1)))["task_id"]
    died = months_ago(1).isoformat()
    stored = await office.ledger_size()
    ahead = (datetime.now(UTC) + timedelta(days=40)).isoformat()
    status, body = await office.step(task, "county-1", "confirmed", event_date=died, at=ahead)
    assert status == 422, body  # before: 202, resolved 40 days from now
    assert await office.ledger_size() == stored
    minute = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()  # within the skew
    status, body = await office.step(task, "county-1", "confirmed", event_date=died, at=minute)
    assert status == 202, body
    status, kpis = await office.get("/v1/kpis", period=this_month(), area=VILLAGE)
    assert status == 200, kpis
    assert kpis["total"]["tasks_resolved"] == 1
