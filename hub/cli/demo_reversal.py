"""The demo's wrongly registered death: confirmed, voided by its department, restored by people.

Between the comparison demo's two months, over the real HTTP API of a hub on
the demo's data folder (each party signing with its own key): the provincial
system puts one person of a cremation record on the roster, the county
confirms the death task the comparison opened (the hub terminates the
benefit), and the province applies the termination. Next month civil affairs
voids that record: the comparison opens a restoration proposal, and here the
town accepts it and the county approves it; only then the hub signs the
restoration of the months unpaid and lifts its closure.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import aiohttp
from prometheus_client import CollectorRegistry

from certhub.hub.cli.demo_stage import DemoParty, enrol_parties, party_key, read_json, serving
from certhub.hub.core.settings import Settings
from certhub.mocks.county_office import StaffMember
from certhub.mocks.hub_client import HubClient

__all__ = ["WrongDeath", "confirm_wrong_death", "restore_wrong_death"]

PROVINCE, TOWN, COUNTY = "gd-provincial-cmp", "town-staff-cmp", "county-reviewer-cmp"
PARTIES: Final[dict[str, DemoParty]] = {
    PROVINCE: DemoParty("provincial_system", ["benefit_record/v1"], True),
    TOWN: DemoParty("town_staff", ["decision/v1"], True),
    COUNTY: DemoParty("county_reviewer", ["decision/v1", "task_transition/v1"], True),
}


@dataclass(frozen=True)
class WrongDeath:
    """The death the county confirmed on a record its department will withdraw."""

    task_id: str
    person: dict[str, Any]
    died: str  # the record's event date, ISO


class _Office:
    """The parties at work on the demo's hub."""

    def __init__(self, settings: Settings, url: str, session: aiohttp.ClientSession) -> None:
        self.url, self.session = url, session
        self.keys = {name: party_key(settings, name) for name in PARTIES}
        self.sent = 0

    def staff(self, name: str) -> StaffMember:
        role = PARTIES[name].role
        return StaffMember(
            self.url, key=self.keys[name], actor_id=name, role=role, session=self.session
        )

    async def roster(self, person: dict[str, Any], **changes: str) -> None:
        """The provincial system's entry for ``person``: 238.00 a month (``changes`` apart)."""
        self.sent += 1
        entry = {
            "type": "benefit_record/v1",
            "person": person,
            "status": "active",
            "monthly_amount": "238.00",
            "bank_account_on_file": "6222***********0123",
            "as_of": datetime.now(UTC).isoformat(),
        } | changes
        client = HubClient(self.url, key=self.keys[PROVINCE], sender=PROVINCE, session=self.session)
        jti = f"cmp-roster-{datetime.now(UTC):%Y%m%d%H%M%S%f}-{self.sent}"
        await client.post_signed("/v1/roster", client.sign(entry, jti=jti))

    async def read(self, path: str, **params: str) -> Any:
        return await read_json(
            self.session, self.url, self.keys[PROVINCE], PROVINCE, path, **params
        )


@contextlib.asynccontextmanager
async def _office(settings: Settings) -> AsyncIterator[_Office]:
    enrol_parties(settings, PARTIES)
    hub = Settings(
        data_dir=settings.data_dir, database_url=settings.database_url, port=0,
        identity_check="off", ministry_pull_seconds=0, metrics_port=None,
        signature_helper=False,
    )  # fmt: skip
    async with (
        serving(hub, registry=CollectorRegistry()) as (_, url),
        aiohttp.ClientSession() as session,
    ):
        yield _Office(settings, url, session)


async def confirm_wrong_death(settings: Settings, proposal: dict[str, Any]) -> WrongDeath:
    """The county confirms the death task of the comparison's ``proposal`` (one cremation
    record); the province had paid through the death's month and applies the termination."""
    source = proposal["sources"][0]
    died = str(source["event_date"])
    async with _office(settings) as office:
        county = office.staff(COUNTY)
        tasks = await county.open_tasks(str(proposal["county"]))
        task = next(t for t in tasks if t["person"]["id_number"] == proposal["id_number"])
        await office.roster(task["person"], paid_through=died[:7])
        await county.step(
            task["task_id"], "confirmed", event_date=died, method="department_letter",
            outcome=f"民政部门火化记录 {source['record_id']} 核实",
        )  # fmt: skip
        await office.roster(task["person"], status="terminated", paid_through=died[:7])
    return WrongDeath(str(task["task_id"]), task["person"], died)


async def restore_wrong_death(settings: Settings, death: WrongDeath) -> str:
    """The town accepts and the county approves the hub's proposal to restore ``death``;
    what the hub signed, in a sentence ("" if no proposal was open)."""
    async with _office(settings) as office:
        county = death.person["region"]["county"]
        page = await office.read("/v1/restoration-proposals", region=county)
        mine = [p["sequence"] for p in page["items"] if p["payload"]["task_id"] == death.task_id]
        item = mine[0] if mine else None
        if item is None:
            return ""
        await office.staff(TOWN).decide("restoration-proposals", item, "accept")
        await office.staff(COUNTY).decide("restoration-proposals", item, "approve")
        outcomes = await office.read("/v1/outcomes", limit="1000")
        signed = [
            o["payload"]
            for o in outcomes["items"]
            if o["message_id"] == f"restoration:proposal:{item}"
        ]
    if not signed:
        return f"restoration proposal {item} approved: closure lifted, no month unpaid"
    back = signed[0]
    return (
        f"restoration proposal {item} accepted by the town, approved by the county: closure "
        f"lifted, back pay {back['back_pay_from'][:7]}..{back['back_pay_to'][:7]} = "
        f"{back['back_pay_amount']} yuan (restoration/v1 signed by the hub)"
    )
