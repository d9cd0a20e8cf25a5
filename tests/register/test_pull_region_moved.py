"""A county's pull of the money: the restoration of a suspension it pulled is in its area,
wherever the pensioner certified since (both ledgers; 238.00 a month, months counted from
this one, China time).

Last certified in the app on the 15th of M(-15) in county A (due M(-3)): the hub proposes
the suspension for non-certification, the county approves it, the hub signs
``suspension/v1`` from the 1st of M(-2) — both records in county A, where the roster has
the pensioner. The pensioner, moved to county B, certifies in the app today naming B; the
hub's restoration proposal is approved: back pay M(-2)..M(-1) = 476.00, payment resumed in
M(0). A reader confined to county A pulls ``/v1/outcomes`` one item a page: before, it got
the suspension and never its restoration (both signed in county B): 476.00 and 238.00 a
month from M(0) never resumed by the agency that stopped them. Now the proposal and the
restoration are in the suspension's area, each once, after the suspension.
"""

from __future__ import annotations

from typing import Any

from procedurekit import Office, month_day, today

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.suspensions import ProposalSweep
from certhub.hub.rules.months import month_index, month_label


def label(offset: int) -> str:
    """``YYYY-MM`` of M(``offset``)."""
    return month_label(month_index(today()) + offset)


async def pulled(office: Office, area: str | None = None) -> list[dict[str, Any]]:
    """Every outcome, one a page, as a reader confined to ``area`` (or province-wide)."""
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


async def test_the_restoration_of_a_pulled_suspension_stays_in_its_area(
    office_db: Office,
) -> None:
    office, app = office_db, office_db.client.app
    person = office.people.person()
    county_a = person["region"]["county"]
    moved = person | {"region": {"county": "445302", "village": "445302001001"}}  # county B
    await office.roster(person, paid_through=label(-3))
    await office.certified_in_app(person, f"{label(-15)}-15T10:00:00+08:00")
    sweep = ProposalSweep(app[STORE], app[PROCEDURE].outcomes, grace_months=0)
    assert await sweep.sweep(today()) == 1
    (proposal,) = [i for i in await pulled(office) if i["type"] == "suspension_proposal/v1"]
    item = proposal["sequence"]
    assert (await office.decide("suspension-proposals", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("suspension-proposals", item, "county-1", "approve"))[0] == 202
    since = month_day(-2)
    await office.roster(
        person, status="suspended", suspended_since=since.isoformat(), paid_through=label(-3)
    )
    await office.certified_in_app(moved)  # alive, in county B: due M(+12)
    (restoring,) = [i for i in await pulled(office) if i["type"] == "restoration_proposal/v1"]
    item = restoring["sequence"]
    assert (await office.decide("restoration-proposals", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("restoration-proposals", item, "county-1", "approve"))[0] == 202

    mine = await pulled(office, county_a)
    money = [
        (i["type"], i["payload"].get("back_pay_amount"))
        for i in mine
        if i["type"] in ("suspension/v1", "restoration_proposal/v1", "restoration/v1")
    ]
    assert money == [
        ("suspension/v1", None),
        ("restoration_proposal/v1", None),
        ("restoration/v1", "476.00"),  # M(-2)..M(-1)
    ], money
    assert len({i["sequence"] for i in mine}) == len(mine)
    (restored,) = [i for i in mine if i["type"] == "restoration/v1"]
    assert restored["payload"]["restore_from"] == month_day(0).isoformat()
    # province-wide: the same records, once each
    everything = [i for i in await pulled(office) if i["sequence"] in {j["sequence"] for j in mine}]
    assert [i["sequence"] for i in everything] == [i["sequence"] for i in mine]
