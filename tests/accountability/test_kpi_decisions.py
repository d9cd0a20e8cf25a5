"""What an inspector's hand count and the hub's figures disagree on, for the province to decide.

Each expected figure is counted by hand from what the test sends. Strict xfails: each
fails on its assertion today, and says which decision it waits for.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from procedurekit import Office
from questionkit import decision_wanted

from certhub.hub.accountability.disclosure import disclose
from certhub.hub.cli.demo_month_messages import certification, months_ago, noon, this_month
from certhub.hub.core.keys import KPI_METRICS, PROCEDURE

COUNTY, VILLAGE = "440103", "440103001201"


def villager(office: Office) -> dict[str, Any]:
    return office.people.person() | {"region": {"county": COUNTY, "village": VILLAGE}}


async def certified(office: Office, person: dict[str, Any], months: int) -> None:
    payload = certification(person, noon(months_ago(months)))
    status, receipt = await office.post("/v1/certifications", "channel", payload)
    assert status == 202, receipt


async def county_row(office: Office, period: str) -> dict[str, Any]:
    response = await office.client.get("/v1/public/disclosure", params={"period": period})
    assert response.status == 200, await response.text()
    rows = (await response.json())["rows"]
    return next(r for r in rows if (r["level"], r["code"]) == ("county", COUNTY))


@decision_wanted(
    "a finished month's disclosure still moves as late records of"
    " it arrive (a kiosk's offline upload, a counter certification approved after the"
    " month's end, a restoration approved later), so two publications of one month differ"
    " by a small cell (README: 'a month republished as it grows could be differenced')."
    " Freeze a month at its first publication, publish only after a settling period, or"
    " count by the day recorded?"
)
async def test_a_finished_month_published_twice_is_the_same(office: Office) -> None:
    people = [villager(office) for _ in range(7)]
    for person in people:
        await office.roster(person)
    for person in people[:6]:
        await certified(office, person, 1)
    period = months_ago(1).strftime("%Y-%m")
    first = await county_row(office, period)
    assert first["certified"] == 6  # by hand: six people certified last month
    await certified(office, people[6], 1)  # last month's certification, uploaded today
    second = await county_row(office, period)
    assert second["certified"] == first["certified"]  # 7 - 6: one person, given back


@decision_wanted(
    "the comparison programme's error rate is tasks cleared this"
    " month / tasks opened this month, so a month clearing an older backlog publishes"
    " more than 100% (README: 'the error rate (cleared / opened)'). Cleared / (cleared +"
    " confirmed) of the month's resolved tasks, or the month's opened tasks as a cohort?"
)
def test_the_comparison_error_rate_is_a_share() -> None:
    # 越秀: 5 tasks opened this month; 10 cleared this month, opened the month before
    counts = {(COUNTY, "comparison_tasks_opened"): 5, (COUNTY, "comparison_tasks_cleared"): 10}
    (row,) = [r for r in disclose(counts, [COUNTY], 5) if r["level"] == "county"]
    assert (row["comparison_tasks_opened"], row["comparison_tasks_cleared"]) == (5, 10)
    assert row["comparison_error_rate"] <= 1.0  # hub: 2.0, "200% wrong"


@decision_wanted(
    "the KPIs count a suspended pensioner (benefit stopped) among"
    " the people due and, uncertified 13 months, overdue; the register's summary and"
    " overdue list count the active only. Which is the province's 应认证人数?"
)
async def test_the_kpi_overdue_is_the_registers_overdue(office: Office) -> None:
    active, suspended = villager(office), villager(office)
    await office.roster(active)
    await certified(office, active, 14)  # due two months ago: overdue
    await certified(office, suspended, 15)
    await office.suspended(suspended, months_ago(1))  # stopped for not certifying
    status, summary = await office.get("/v1/register/summary", area=VILLAGE)
    assert status == 200, summary
    assert (summary["people"]["overdue"], summary["people"]["suspended"]) == (1, 1)
    status, body = await office.get("/v1/kpis", period=this_month(), level="village")
    assert status == 200, body
    (row,) = [u for u in body["units"] if u["unit"] == VILLAGE]
    assert (row["people"], row["overdue"]) == (1, 1)  # hub: 2 and 2


@decision_wanted(
    "a past month's people, coverage and overdue are read through"
    " today's roster and closures, so a death confirmed today removes the person from"
    " every earlier month of the trend (kpi_metrics: 'a past month is measured as it"
    " was'); the roster keeps no date of termination. Keep a dated history, or say past"
    " months are recomputed on today's roster?"
)
async def test_a_past_month_keeps_the_people_it_had(office: Office) -> None:
    person = villager(office)
    await office.roster(person, paid_through=this_month())
    await certified(office, person, 5)
    period = months_ago(3).strftime("%Y-%m")
    status, before = await office.get("/v1/kpis", period=period, area=VILLAGE)
    assert status == 200, before
    assert (before["total"]["people"], before["total"]["covered"]) == (1, 1)
    await office.confirmed_death(person, months_ago(1))  # died last month, confirmed today
    status, after = await office.get("/v1/kpis", period=period, area=VILLAGE)
    assert status == 200, after
    assert (after["total"]["people"], after["total"]["covered"]) == (1, 1)  # hub: 0 and 0


@decision_wanted(
    "GET /metrics is anyone's (README), and its certhub_kpi gauges"
    " give every county's running-month counts unsuppressed: one overpayment of 714.00 (a"
    " death, three months paid) is public there, refreshed every 5 minutes, while the"
    " disclosure withholds such a cell and any finished month being differenced. Serve"
    " the KPI gauges only to ops (a token, the metrics port), or suppress them?"
)
async def test_anonymous_metrics_publish_no_small_cell(office: Office) -> None:
    person = villager(office)
    await office.roster(person, paid_through=this_month())
    await office.confirmed_death(person, months_ago(3))
    await office.client.app[KPI_METRICS].refresh_now()
    response = await office.client.get("/metrics")  # no credentials
    assert response.status == 200
    text = await response.text()
    small = [
        line
        for line in text.splitlines()
        if line.startswith("certhub_kpi{") and f'area="{COUNTY}"' in line
        if 'kpi="overpayments"' in line or 'kpi="overpaid"' in line
    ]
    assert small == []  # hub: overpayments 1.0, overpaid 714.0 for 越秀


@decision_wanted(
    "a task's days and lateness are read from its resolving step's"
    " own 'at', the word of the office being assessed: confirmed today a task opened 40"
    " days ago, dated the day after it opened, counts 1 day and was never overdue"
    " (last month's tasks_overdue changes after the month closed). Time it by when the hub"
    " received the step, or bound how far back a step may be dated?"
)
async def test_a_task_takes_the_days_until_the_hub_heard_of_it(office: Office) -> None:
    person = villager(office)
    await office.roster(person)
    opened = datetime.now(UTC) - timedelta(days=40)
    context = office.client.app[PROCEDURE]
    object.__setattr__(context, "clock", lambda: opened)
    task = await office.reported_death(person, months_ago(2))
    object.__setattr__(context, "clock", lambda: datetime.now(UTC))
    backdated = (opened + timedelta(days=1)).isoformat()
    died = months_ago(2).isoformat()
    status, body = await office.step(
        task["task_id"], "county-1", "confirmed", event_date=died, at=backdated
    )
    assert status == 202, body
    status, kpis = await office.get("/v1/kpis", period=this_month(), area=VILLAGE)
    assert status == 200, kpis
    figures = kpis["total"]
    # by hand: resolved today, this month, after 40 days; hub: (0, None), resolved 39 days ago
    assert (figures["tasks_resolved"], figures["task_days_median"]) == (1, 40.0)
