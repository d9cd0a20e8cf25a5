"""Test kit for area scopes: records in four villages of two counties, readers confined to areas.

Villages A and B share the town 440103001 of 荔湾区 (440103); C is in another
town of the same county; D is in 福田区 (440304), another city. Every kind of
record the read endpoints serve exists in more than one of them, sent through
the real HTTP API by the procedure's parties (procedurekit).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from evidence_samples import pdf, png
from hubkit import REPORT_TYPES, with_area_staff
from pgkit import throwaway_database
from procedurekit import Office, counter_event, open_office, restoration, today, trust_store

from certhub.security import SigningKey, TrustStore, parse_area

X, Y = "440103", "440304"
A, B, C, D = "440103001201", "440103001202", "440103002201", "440304001201"
VILLAGES = {A: X, B: X, C: X, D: Y}
UNITS = f"code,name\n{A},甲村\n{B},乙村\n{C},丙村\n{D},丁村\n"

# Readers confined to an area: party -> (role, area). Coordinators may also report.
SCOPED: dict[str, tuple[str, str]] = {
    "coord-a": ("coordinator", A),
    "coord-b": ("coordinator", B),
    "town-x1": ("town_staff", A[:9]),
    "county-x": ("county_reviewer", X),
    "city-gz": ("reporting_system", "440100"),  # 广州市: X, not D
}


def coordinators_report(office: Office, person: dict[str, Any]) -> dict[str, Any]:
    """A's coordinator reports ``person`` dead two days ago, filed in its village A."""
    return office.people.eligibility_report() | {
        "reason": "death",
        "event_date": (today() - timedelta(days=2)).isoformat(),
        "person": person,
        "region": {"county": X, "village": A},
        "reporter": {"id": "coord-a", "role": "coordinator"},
    }


def scoped_trust_store(keys: dict[str, SigningKey]) -> TrustStore:
    """Every procedure party, and the :data:`SCOPED` readers confined to their areas."""
    return with_area_staff(
        trust_store(keys), keys, SCOPED, lambda role: REPORT_TYPES if role == "coordinator" else []
    )


@asynccontextmanager
async def office_on(
    ledger: str,
    client_for: Callable[..., Awaitable[TestClient[Any, Any]]],
    data: Path,
    keys: dict[str, SigningKey],
    store: TrustStore,
) -> AsyncIterator[Office]:
    """A running hub of the villages A–D trusting ``store``: on SQLite (``ledger``
    ``"sqlite"``), else on a PostgreSQL database of its own, which then holds the evidence
    too (the deployment's database vault)."""
    if ledger == "sqlite":
        yield await open_office(client_for, data, keys, units=UNITS, store=store)
        return
    with throwaway_database("certhub_scopes") as url:
        office = await open_office(
            client_for, data, keys, units=UNITS, store=store, database_url=url
        )
        yield office
        await office.client.close()  # before the database is dropped


@dataclass
class World:
    """The office, and what was put in it: people, evidence, items, tasks."""

    office: Office
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)  # village -> a digest cited there
    tasks: dict[str, str] = field(default_factory=dict)  # village -> task id

    async def read(self, path: str, party: str, **params: str) -> tuple[int, Any]:
        """GET ``path`` as ``party`` (a fresh read token of its key)."""
        return await self.office.get(path, party, **params)

    async def items(self, path: str, party: str, **params: str) -> list[dict[str, Any]]:
        """Every item of a cursor collection as ``party`` sees it, page by page (2 a page)."""
        items: list[dict[str, Any]] = []
        cursor: dict[str, str] = {}
        while True:
            status, page = await self.read(path, party, limit="2", **params, **cursor)
            assert status == 200, page
            items += page["items"]
            if not page["has_more"]:
                return items
            cursor = {"after": page["next_cursor"]}


async def pulled(office: Office, area: str | None = None) -> list[dict[str, Any]]:
    """Every outcome of ``GET /v1/outcomes``, one a page, as the province's reader confined
    to ``area`` (None: province-wide)."""
    items: list[dict[str, Any]] = []
    after: str | None = None
    claims = {"area": area} if area else {}
    while True:
        params = {"limit": "1", **({"after": after} if after else {})}
        response = await office.client.get(
            "/v1/outcomes", params=params, headers=office.bearer("province", **claims)
        )
        page = await response.json()
        assert response.status == 200, page
        items += page["items"]
        after = page["next_cursor"] or after
        if not page["has_more"]:
            return items


def village_of(payload: dict[str, Any]) -> str | None:
    """The region of a record as its payload says (the test's own reading, not the hub's)."""
    region = payload.get("region") if payload.get("type", "").endswith("report/v1") else None
    person = payload.get("person")
    if region is None and isinstance(person, dict):
        region = person["region"]
    return None if region is None else region.get("village") or region["county"]


def inside(area: str | None, village: str | None) -> bool:
    """The expected answer, computed from the payload's region and the area's prefix."""
    return area is None or (village is not None and village.startswith(parse_area(area).prefix))


async def build_world(office: Office) -> World:
    """Reports, tasks, outcomes, a zero report, certifications and a restoration in A–D."""
    world = World(office)
    for village, county in VILLAGES.items():
        person = office.people.person() | {"region": {"county": county, "village": village}}
        world.people[village] = person
    died = today().replace(day=1) - timedelta(days=70)
    await office.roster(world.people[A])  # paid through this month: an overpayment
    # filed before B's death is reported: once that verification is open, no restoration of
    # B is taken (restoration-verification-open)
    await _restoration(office, world.people[B])
    for village in (A, B, D):
        digest = await office.upload(pdf(f"火化证明 {village}"), "application/pdf")
        world.evidence[village] = digest
        await office.approved_report(office.death_report(world.people[village], died, digest))
    status, page = await office.get("/v1/verification-tasks")
    assert status == 200, page
    world.tasks = {task["person"]["region"]["village"]: task["task_id"] for task in page["items"]}
    assert (await office.step(world.tasks[A], "town-1", "in_progress"))[0] == 202
    status, body = await office.step(
        world.tasks[A], "county-1", "confirmed", event_date=died.isoformat()
    )
    assert status == 202, body
    zero = office.people.zero_report(today().strftime("%Y-%m"))
    zero["region"] = {"county": X, "village": C}
    assert (await office.post("/v1/reports", "city", zero))[0] == 202
    for village in (C, D):  # the counter's channel uploads what its certification cites
        n = len(world.evidence)
        id_image = await office.upload(png(10 + n, f"ID {village}"), "image/png", "channel")
        photo = await office.upload(png(90 + n, f"photo {village}"), "image/png", "channel")
        world.evidence[f"photo {village}"] = photo
        status, body = await office.post(
            "/v1/certifications", "channel", counter_event(world.people[village], id_image, photo)
        )
        assert status == 202, body
    return world


async def _restoration(office: Office, person: dict[str, Any]) -> None:
    """``person`` suspended 200 days ago; town staff ask for the restoration."""
    since = today() - timedelta(days=200)
    await office.suspended(person, since)
    status, body = await office.post("/v1/restorations", "town-1", restoration(person, since))
    assert status == 202, body
