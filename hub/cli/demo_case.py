"""The demo's full case (issue 3): a reported death, from report to termination.

A village coordinator's report of a death, with the cremation certificate,
comes in through the city platform; town staff accept it; the county
approves; a verification task opens; the county confirms it; the benefit is
terminated from the date of death, the overpayment computed and the family
notified by SMS; the provincial system pulls and re-verifies all of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from certhub.hub.cli.demo_month_messages import months_ago, this_month
from certhub.mocks.county_office import StaffMember
from certhub.mocks.documents import certificate_pdf
from certhub.mocks.local_reporting import ReportingSystem
from certhub.mocks.population import Population
from certhub.mocks.provincial import ProvincialSystem


@dataclass(frozen=True)
class CaseSummary:
    """What the case produced, as the provincial system saw it."""

    termination_from: str
    overpaid_months: int
    overpaid_amount: str
    outcomes_verified: int
    decisions_verified: int
    notice_id: str
    village: str
    """The dead pensioner's village (the entrance's invitation enrols a coordinator there)."""

    @property
    def ok(self) -> bool:
        """The termination and overpayment arrived, signed and verified."""
        return self.overpaid_months == 3 and self.outcomes_verified >= 5


async def run_death_case(
    base_url: str,
    session: aiohttp.ClientSession,
    *,
    city: ReportingSystem,
    province: ProvincialSystem,
    town: StaffMember,
    county: StaffMember,
) -> CaseSummary:
    """Walk one death through the whole procedure; the province verifies the result."""
    people = Population(seed=99)
    person = people.person()
    died = months_ago(3)
    await province.push_roster(
        person,
        status="active",
        monthly_amount="238.00",
        paid_through=this_month(),
        bank_account_on_file="6222***********0123",
        contact_mobile="13800138000",
    )
    certificate = await city.upload_evidence(certificate_pdf(), "application/pdf")
    item = (await city.push_one(people.death_report(person, died, certificate)))["sequence"]
    await town.decide("reports", item, "accept")
    await county.decide("reports", item, "approve")
    (task,) = [
        t for t in await county.open_tasks(person["region"]["county"]) if str(item) in t["sources"]
    ]
    await town.step(task["task_id"], "in_progress")
    await county.step(
        task["task_id"],
        "confirmed",
        method="department_letter",
        outcome="民政部门火化记录核实死亡",
        event_date=died.isoformat(),
    )
    outcomes = await province.pull_all("outcomes")
    decisions = await province.pull_all("decisions")
    records = await province.pull_records("outcomes")
    termination = next(r for r in records if r["type"] == "termination/v1")["payload"]
    overpayment = next(r for r in records if r["type"] == "overpayment/v1")["payload"]
    return CaseSummary(
        termination_from=termination["effective_from"],
        overpaid_months=overpayment["months"],
        overpaid_amount=overpayment["amount"],
        outcomes_verified=outcomes.verified if not outcomes.failures else 0,
        decisions_verified=decisions.verified if not decisions.failures else 0,
        notice_id=f"termination:{task['task_id']}",
        village=person["region"]["village"],
    )
