"""Staff's ``restoration/v1`` is filed in the region of the record it restores (238.00 a
month, months counted from this one, China time; both ledgers).

The ledger keeps a signed message as signed, and the reads place a restoration by its
person's region. Before, staff of county B (where the pensioner lives now) filed the
restoration of a suspension of county A naming B: 202, stored in B, and a reader confined
to county A — the agency that stopped the payment — never pulled the back pay nor the
resumption. Now that filing is ``restoration-region-mismatch`` (422), nothing stored; a
confined key whose area does not hold the restored record's region is
``area-not-permitted`` (403) whatever region it names; the same restoration naming A is
accepted and pulled in A as before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from hubkit import with_area_staff
from procedurekit import PARTIES, STAFF, Office, month_day, open_office, restoration, trust_store
from reminderkit import delivered
from reversalkit import DIED_IN, VOIDED_IN, Scene, outcomes, refused, voided_restoration

from certhub.security import SigningKey

A = {"county": "440103", "village": "440103001201"}  # 荔湾区
B = {"county": "440304", "village": "440304001201"}  # 福田区, another city
CONFINED = {"town-a": ("town_staff", "440103001"), "county-b": ("county_reviewer", "440304")}
UNITS = f"code,name\n{A['village']},甲村\n{B['village']},丁村\n"


@pytest.fixture
async def office(
    ledger_url: str | None, aiohttp_client: Callable[..., Any], tmp_path: Path
) -> AsyncIterator[Office]:
    """Every procedure party, town staff confined to a town of county A and a county
    reviewer confined to county B, on SQLite then PostgreSQL."""
    keys = {party: SigningKey.generate() for party in [*PARTIES, *CONFINED]}
    store = with_area_staff(trust_store(keys), keys, CONFINED, lambda _: STAFF)
    office = await open_office(
        aiohttp_client, tmp_path / "data", keys, units=UNITS, store=store, database_url=ledger_url
    )
    yield office
    await office.client.close()  # before the database is dropped


async def pulled_restorations(office: Office, area: str) -> list[dict[str, Any]]:
    """``GET /v1/restorations`` as the province's reader confined to ``area``."""
    response = await office.client.get(
        "/v1/restorations", params={"limit": "100"}, headers=office.bearer("province", area=area)
    )
    page = await response.json()
    assert response.status == 200, page
    return list(page["items"])


def filed_as(person: dict[str, Any], region: dict[str, str], party: str) -> dict[str, Any]:
    """Staff ``party``'s restoration of ``person`` suspended since the 1st of M(-3), naming
    ``region``: back pay M(-2)..M(-1) = 2 × 238.00 = 476.00, resumed from M(0)."""
    role = "county_reviewer" if party.startswith("county") else "town_staff"
    filing = restoration(person | {"region": region}, month_day(-3))
    assert filing["back_pay_amount"] == "476.00"
    return filing | {"requested_by": {"id": party, "role": role}}


async def test_a_restoration_naming_another_region_than_the_suspension_is_refused(
    office: Office,
) -> None:
    person = office.people.person() | {"region": A}
    await office.suspended(person, month_day(-3))  # the province's suspension, in county A

    # before: 202, stored in county B, never pulled by county A
    moved = office.post("/v1/restorations", "town-1", filed_as(person, B, "town-1"))
    body = await refused(office, moved, 422, "restoration-region-mismatch")
    assert "440103001201" in body["detail"], body
    # a key confined to county B: outside its area, whatever region it names (before, 202
    # naming B)
    for region in (B, A):
        filing = filed_as(person, region, "county-b")
        await refused(office, office.post("/v1/restorations", "county-b", filing), 403,
                      "area-not-permitted")  # fmt: skip
    assert await pulled_restorations(office, "440103") == []
    assert await pulled_restorations(office, "440304") == []

    # the same restoration naming county A, by staff confined there: accepted and pulled in A
    status, receipt = await office.post("/v1/restorations", "town-a", filed_as(person, A, "town-a"))
    assert status == 202, receipt
    (pulled,) = await pulled_restorations(office, "440103")
    assert pulled["payload"]["back_pay_amount"] == "476.00"  # M(-2)..M(-1), 2 × 238.00
    assert pulled["payload"]["person"]["region"] == A
    assert await pulled_restorations(office, "440304") == []


async def test_a_restoration_of_a_voided_termination_names_the_termination_region(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    scene = Scene.alone(tmp_path)[0].on_ledger(ledger_url)
    person, number = scene.person, scene.person["id_number"]
    assert (await scene.compare(DIED_IN))["reports"] == {"task_opened": 1}
    await scene.terminated(aiohttp_client, {number: {"paid_through": DIED_IN}})
    office, items = await scene.voided(aiohttp_client)  # the hub's proposal: reject it
    status, body = await office.decide("restoration-proposals", items[number], "town-1", "reject")
    assert status == 202, body
    await delivered(office)  # the family's SMS the rejection leaves, before counting
    (termination,) = await outcomes(office, "termination/v1")
    signed_in = termination["payload"]["person"]["region"]
    elsewhere = B if signed_in["county"] != B["county"] else A

    # before: 202, back pay of VOIDED_IN (238.00) stored in another county
    moved = voided_restoration(person | {"region": elsewhere})
    body = await refused(
        office, office.post("/v1/restorations", "town-1", moved), 422,
        "restoration-region-mismatch",
    )  # fmt: skip
    assert "termination" in body["detail"], body

    status, receipt = await office.post("/v1/restorations", "town-1", voided_restoration(person))
    assert status == 202, receipt  # VOIDED_IN back-paid, 238.00, as filed before
    response = await office.client.get("/v1/restorations", headers=office.bearer("province"))
    (filed,) = [i for i in (await response.json())["items"] if i["type"] == "restoration/v1"]
    assert filed["payload"]["back_pay_from"] == f"{VOIDED_IN}-01"
    # the termination names the county alone; a village of it is inside: every reader
    # who pulled the termination pulls this
    assert filed["payload"]["person"]["region"]["county"] == signed_in["county"]
    await office.client.close()
