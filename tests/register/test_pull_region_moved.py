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

from notcertifiedkit import open_proposals, restoration_signed, suspended_by_the_hub
from procedurekit import Office, month_day
from scopekit import pulled


async def test_the_restoration_of_a_pulled_suspension_stays_in_its_area(
    office_db: Office,
) -> None:
    office = office_db
    person = office.people.person()
    county_a = person["region"]["county"]
    moved = person | {"region": {"county": "445302", "village": "445302001001"}}  # county B
    await suspended_by_the_hub(office, person)  # in county A, from the 1st of M(-2)
    await office.certified_in_app(moved)  # alive, in county B: due M(+12)
    (restoring,) = await open_proposals(office)
    await restoration_signed(office, int(restoring["sequence"]))

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
