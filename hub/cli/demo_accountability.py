"""The demo's accountability month: every assessment KPI with a value, on the dashboard too.

One township pair of 云城区 (445302) is worked through this month over the
real HTTP API of a hub serving the demo's data folder, each party signing
with its own key:

* the provincial system puts six pensioners on the roster;
* a channel app records a face certification this month (with the person's
  face model enrolled, and consent), one 14 months ago (overdue now) and a
  data-comparison certification (免办) this month;
* the city platform sends a zero report for one village and two death reports
  for another (the third village sends nothing); the town accepts and the
  county approves. One task is opened as of 12 days ago and confirmed now
  (its overpayment is partly recovered by bank reversal and the rest written
  off by a request the town accepts and the county approves); the other is
  opened as of 40 days ago and left open: the deadline sweep, run for the
  present moment, escalates it to the county;
* the channel app rates one service 5; the family rates another 1 through the
  SMS rating link (a follow-up opens for the town, which records its call-back).

The tasks' past opening uses the procedure's clock, the same collaborator the
planners read; nothing is written to the ledger but through the API and its
planners. Then the hub's own KPI gauges are refreshed and ``/metrics`` is
read: every KPI must have a ``certhub_kpi`` series for the county. The month's
province totals are printed as a table, with the public disclosure's address.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TextIO

import aiohttp
from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from certhub.hub.accountability.kpis import KPIS
from certhub.hub.cli.demo_month_messages import (
    certification,
    enrolment,
    months_ago,
    noon,
    rating,
    roster,
    this_month,
    today,
)
from certhub.hub.cli.demo_stage import DemoParty, enrol_parties, party_key, read_json, serving
from certhub.hub.core.keys import KPI_METRICS, PROCEDURE
from certhub.hub.core.settings import Settings
from certhub.hub.procedure.deadlines import DeadlineSweep
from certhub.hub.rules.months import month_index, month_label
from certhub.mocks.county_office import StaffMember
from certhub.mocks.documents import certificate_pdf
from certhub.mocks.hub_client import HubClient
from certhub.mocks.population import Population
from certhub.security import issue_read_token

__all__ = ["AccountabilityDemo", "run_accountability_demo"]

COUNTY: Final = "445302"
V1, V2, V3 = "445302001201", "445302001202", "445302002201"
UNITS: Final = f"code,name\n{V1},一村\n{V2},二村\n{V3},三村\n"
BASE_URL: Final = "http://127.0.0.1:8080"
"""Where ``certhub serve`` answers by default: the rating links and the disclosure address."""
RECOVERED: Final = "238.00"

CITY, CHANNEL, PROVINCE = "yunfu-acc-platform", "gdrs-app", "gd-provincial-acc"
TOWN, COUNTY_REVIEWER, DETERMINER = (
    "yuncheng-town-acc",
    "yuncheng-county-acc",
    "yuncheng-determiner",
)
PARTIES: Final[dict[str, DemoParty]] = {
    CITY: DemoParty("reporting_system", ["eligibility_report/v1", "zero_report/v1"], False),
    CHANNEL: DemoParty(
        "channel",
        ["certification_event/v1", "biometric_enrolment/v1", "service_rating/v1"],
        False,
    ),
    PROVINCE: DemoParty("provincial_system", ["benefit_record/v1"], True),
    TOWN: DemoParty(
        "town_staff", ["decision/v1", "task_transition/v1", "rating_followup/v1"], True
    ),
    COUNTY_REVIEWER: DemoParty("county_reviewer", ["decision/v1", "task_transition/v1"], True),
    DETERMINER: DemoParty("benefit_determiner", ["recovery/v1", "write_off/v1"], True),
}


@dataclass(frozen=True)
class AccountabilityDemo:
    """The month's KPIs as the API gives them, and what the live scrape showed."""

    period: str
    total: Mapping[str, Any]
    """The province's figures for the month (``GET /v1/kpis`` ``total``)."""
    county: Mapping[str, Any]
    """云城区's figures for the month."""
    scraped: frozenset[str]
    """KPIs with a ``certhub_kpi{level="county",area="445302"}`` series on ``/metrics``."""
    escalated: int
    disclosure_url: str

    @property
    def ok(self) -> bool:
        """Every KPI has a value for the county, and a series on /metrics."""
        names = {k.name for k in KPIS}
        return all(self.county.get(n) is not None for n in names) and self.scraped == names


async def run_accountability_demo(settings: Settings, out: TextIO) -> AccountabilityDemo:
    """Work the month through a hub over ``settings.data_dir``; print the KPI table on ``out``."""
    enrol_parties(settings, PARTIES)
    if not settings.reporting_units_path.exists():  # the villages that must report monthly
        settings.reporting_units_path.write_text(UNITS, encoding="utf-8")
    hub_settings = Settings(
        data_dir=settings.data_dir,
        database_url=settings.database_url,  # the demo's ledger, whichever backend
        port=0,
        identity_check="off",  # no counter certification this month; the mocks have stopped
        ministry_pull_seconds=0,
        metrics_port=None,
        signature_helper=False,
        rating_base_url=BASE_URL,
    )
    async with (
        serving(hub_settings, registry=CollectorRegistry()) as (app, url),
        aiohttp.ClientSession() as session,
    ):
        month = _Month(app, url, session, settings)
        await month.work()
        escalated = await month.sweep()
        await app[KPI_METRICS].refresh_now()
        scraped = await month.scraped()
        period = this_month()
        body = await month.read("/v1/kpis", period=period, level="county", area=COUNTY)
        province = await month.read("/v1/kpis", period=period, level="county")
    county = next(row for row in body["units"] if row["unit"] == COUNTY)
    disclosure = f"{BASE_URL}/public/disclosure?period={month_label(month_index(today()) - 1)}"
    result = AccountabilityDemo(
        period, province["total"], county, frozenset(scraped), escalated, disclosure
    )
    _print(result, out)
    return result


class _Month:
    """The parties at work in the demo county this month."""

    def __init__(
        self, app: web.Application, url: str, session: aiohttp.ClientSession, settings: Settings
    ) -> None:
        self.app, self.url, self.session = app, url, session
        self.keys = {p: party_key(settings, p) for p in PARTIES}
        self.people = Population(seed=45)
        self.sent = 0

    def party(self, name: str) -> HubClient:
        return HubClient(self.url, key=self.keys[name], sender=name, session=self.session)

    def staff(self, name: str) -> StaffMember:
        return StaffMember(
            self.url,
            key=self.keys[name],
            actor_id=name,
            role=PARTIES[name].role,
            session=self.session,
        )

    async def send(self, name: str, path: str, payload: dict[str, Any]) -> int:
        """Post ``payload`` signed by ``name``; the record's ledger sequence."""
        self.sent += 1
        jti = f"acc-{datetime.now(UTC):%Y%m%d%H%M%S%f}-{self.sent}"
        receipt = await self.party(name).post_signed(path, self.party(name).sign(payload, jti=jti))
        return int(receipt["sequence"])

    async def read(self, path: str, **params: str) -> Any:
        return await read_json(
            self.session, self.url, self.keys[PROVINCE], PROVINCE, path, **params
        )

    def person(self, village: str) -> dict[str, Any]:
        return self.people.person() | {"region": {"county": COUNTY, "village": village}}

    async def work(self) -> None:
        now = datetime.now(UTC)
        a, b, c = self.person(V1), self.person(V1), self.person(V2)
        dead, missing_long, f = self.person(V2), self.person(V2), self.person(V3)
        for person in (a, b, c, dead, missing_long, f):
            await self.send(PROVINCE, "/v1/roster", roster(person, now))
        cert_a = await self.send(CHANNEL, "/v1/certifications", certification(a, now))
        await self.send(CHANNEL, "/v1/certifications", certification(b, noon(months_ago(14))))
        cert_c = await self.send(
            CHANNEL, "/v1/certifications", certification(c, now, "data_comparison")
        )
        await self.send(CHANNEL, "/v1/biometric-enrolments", enrolment(a, now))
        zero = self.people.zero_report(this_month()) | {"region": {"county": COUNTY, "village": V1}}
        zero["reporter"] = self.people.reporter(zero["region"])
        await self.send(CITY, "/v1/reports", zero)
        task = await self.death(dead, opened=now - timedelta(days=12))
        await self.staff(COUNTY_REVIEWER).step(
            task,
            "confirmed",
            method="department_letter",
            outcome="民政部门火化记录核实死亡",
            event_date=months_ago(3).isoformat(),
        )
        await self.recover(task, now)
        await self.death(missing_long, opened=now - timedelta(days=40))  # left open: overdue
        await self.send(CHANNEL, "/v1/service-ratings", rating(cert_a, 5, now))
        await self.rate_by_sms(cert_c)

    async def death(self, person: dict[str, Any], *, opened: datetime) -> str:
        """A death reported by the city, accepted and approved; its task opens at ``opened``."""
        city = self.party(CITY)
        token = issue_read_token(self.keys[CITY], sender=CITY, scope="evidence")
        async with self.session.post(
            f"{self.url}/v1/evidence",
            data=certificate_pdf(),
            headers={"Content-Type": "application/pdf", "Authorization": f"Bearer {token}"},
        ) as response:
            response.raise_for_status()
            digest = (await response.json())["sha256"]
        report = self.people.eligibility_report() | {
            "reason": "death",
            "person": person,
            "event_date": months_ago(3).isoformat(),
            "region": person["region"],
            "reporter": self.people.reporter(person["region"]),
            "evidence": [
                {"sha256": digest, "kind": "cremation_certificate", "media_type": "application/pdf"}
            ],
        }
        self.sent += 1
        item = (await city.post_signed("/v1/reports", city.sign(report, jti=f"acc-r{self.sent}")))[
            "sequence"
        ]
        await self.staff(TOWN).decide("reports", item, "accept")
        with _procedure_clock(self.app, opened):  # the task opens as of ``opened``
            await self.staff(COUNTY_REVIEWER).decide("reports", item, "approve")
        tasks = await self.staff(COUNTY_REVIEWER).open_tasks(person["region"]["village"])
        (task,) = [t for t in tasks if str(item) in t["sources"]]
        task_id: str = task["task_id"]
        return task_id

    async def recover(self, task: str, now: datetime) -> None:
        """Part recovered by bank reversal, the rest written off through two-level review."""
        actor = {"id": DETERMINER, "role": "benefit_determiner"}
        recovery = {
            "type": "recovery/v1",
            "task_id": task,
            "amount": RECOVERED,
            "source": "bank_reversal",
            "recovered_on": today().isoformat(),
            "reference": f"BR{now:%Y%m%d%H%M%S}",
            "actor": actor,
            "at": now.isoformat(),
        }
        await self.send(DETERMINER, f"/v1/overpayments/{task}/recoveries", recovery)
        remaining = (await self.read(f"/v1/overpayments/{task}"))["remaining"]
        write_off = {
            "type": "write_off/v1",
            "task_id": task,
            "amount": remaining,
            "reason": "家属无力偿还，经走访核实",
            "actor": actor,
            "at": now.isoformat(),
        }
        item = await self.send(DETERMINER, f"/v1/overpayments/{task}/write-offs", write_off)
        await self.staff(TOWN).decide("write-offs", item, "accept")
        await self.staff(COUNTY_REVIEWER).decide("write-offs", item, "approve")

    async def rate_by_sms(self, service: int) -> None:
        """The family opens the SMS's rating link and rates 1; the town calls back."""
        make_link = self.app[PROCEDURE].rating_link  # what the certification's SMS carries
        if make_link is None:
            raise RuntimeError("the demo hub has no rating base URL")
        link = self.url + make_link(service).removeprefix(BASE_URL)  # this hub's own port
        form = {"score": "1", "rater": "family", "comment": "等了很久"}
        async with self.session.post(link, data=form) as response:
            if response.status != 201:
                raise RuntimeError(f"rating by SMS link: {response.status}")
        (rating,) = (await self.read("/v1/service-ratings", follow_up="open"))["items"]
        callback = {
            "type": "rating_followup/v1",
            "rating_id": rating["rating"],
            "action": "callback",
            "outcome": "已电话回访，解释办理流程",
            "actor": {"id": TOWN, "role": "town_staff"},
            "at": datetime.now(UTC).isoformat(),
        }
        await self.send(TOWN, f"/v1/service-ratings/{rating['rating']}/follow-ups", callback)

    async def sweep(self) -> int:
        """The deadline sweep for the present moment (the hub's loop does it every minute)."""
        await DeadlineSweep.of(self.app).sweep(datetime.now(UTC))
        overdue = await self.read("/v1/task-deadlines", overdue="true", region=COUNTY)
        return sum(1 for row in overdue["items"] if row.get("escalated_at"))

    async def scraped(self) -> set[str]:
        """KPIs with a county series on the hub's ``/metrics``."""
        async with self.session.get(f"{self.url}/metrics") as response:
            text = await response.text()
        return {
            sample.labels["kpi"]
            for family in text_string_to_metric_families(text)
            if family.name == "certhub_kpi"
            for sample in family.samples
            if sample.labels.get("level") == "county" and sample.labels.get("area") == COUNTY
        }


@contextlib.contextmanager
def _procedure_clock(app: web.Application, moment: datetime) -> Iterator[None]:
    """The planners' clock set to ``moment`` for the body (the tests set it the same way)."""
    context = app[PROCEDURE]
    clock = context.clock
    object.__setattr__(context, "clock", lambda: moment)  # a frozen dataclass: its one clock
    try:
        yield
    finally:
        object.__setattr__(context, "clock", clock)


def _print(result: AccountabilityDemo, out: TextIO) -> None:
    print(
        f"assessment KPIs {result.period} of the province and of 云城区 {COUNTY}; "
        f"{result.escalated} overdue task escalated to the county:",
        file=out,
    )
    for line in _table(result):
        print(line, file=out)
    missing = sorted({k.name for k in KPIS} - result.scraped)
    print(
        f"/metrics: certhub_kpi series for {len(result.scraped)} of {len(KPIS)} KPIs of {COUNTY}"
        + (f" (missing: {', '.join(missing)})" if missing else ""),
        file=out,
    )
    print(f"public disclosure: with the hub serving, open {result.disclosure_url}", file=out)


def _table(result: AccountabilityDemo) -> Iterator[str]:
    width = max(len(k.name) for k in KPIS)
    names = [k.name for k in KPIS]
    head = f"{'KPI':<{width}} {'province':>9} {COUNTY:>8}"
    yield f"  {head}   {head}"
    for left, right in zip(names[::2], [*names[1::2], ""][: len(names[::2])], strict=True):
        cells = [_cell(result, name, width) for name in (left, right) if name]
        yield "  " + "   ".join(cells)


def _cell(result: AccountabilityDemo, name: str, width: int) -> str:
    def shown(value: object) -> str:
        return "—" if value is None else str(value)

    return f"{name:<{width}} {shown(result.total.get(name)):>9} {shown(result.county.get(name)):>8}"
