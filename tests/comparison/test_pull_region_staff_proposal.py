"""A county's pull of a voided termination: staff's own restoration proposal is filed in the
termination's area, and the restoration it makes the hub sign is pulled there (238.00 a
month, months counted from this one, China time).

A false cremation of the 3rd of M(-2) confirmed while the roster paid through M(-2), in the
county the roster has the pensioner in (A); civil affairs voids it in M(-1), the hub's
proposal is rejected by mistake. Town staff of county B, where the pensioner lives now, file
their own proposal naming B: before, 202 — reviewed and approved in B, another county's
staff deciding the money of the agency that applied the termination — and a reader
confined to county A got the termination and never the restoration (signed in B). Now that
filing is ``restoration-region-mismatch`` (422, nothing stored), as staff's
``restoration/v1`` naming another region is; the same proposal naming A is approved: back
pay M(-1) = 238.00, payment resumed from M(0), and the restoration follows the termination
in A's pull, once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reminderkit import delivered
from reversalkit import VOIDED_IN, approved, last_day, proposed, refused
from scopekit import pulled

from certhub.hub.rules.months import month_index, month_label, parse_month

THIS_MONTH_FIRST = parse_month(month_label(month_index(parse_month(VOIDED_IN)) + 1))


async def test_the_restoration_of_a_pulled_termination_stays_in_its_area(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, task, hubs = await proposed(tmp_path, aiohttp_client)  # M(-1) unpaid
    county_a = person["region"]["county"]
    status, body = await office.decide(
        "restoration-proposals", hubs["sequence"], "town-1", "reject"
    )
    assert status == 202, body
    moved = person | {"region": {"county": "445302", "village": "445302001001"}}
    keep = ("task_id", "reason", "event_date", "effective_from", "withdrawn")
    own = {
        "type": "restoration_proposal/v1",
        "person": moved,
        **{name: hubs["payload"][name] for name in keep},
        "proposed_at": hubs["payload"]["proposed_at"],
        "remarks": "驳回有误, 重新提出",
    }
    await delivered(office)  # the family's SMS the rejection leaves, before counting
    filed = office.post("/v1/restoration-proposals", "town-2", own)
    body = await refused(office, filed, 422, "restoration-region-mismatch")
    assert county_a in body["detail"], body
    status, body = await office.post(
        "/v1/restoration-proposals", "town-2", own | {"person": person}
    )
    assert status == 202, body
    status, body = await approved(office, int(body["sequence"]))
    assert status == 202, body

    mine = await pulled(office, county_a)
    money = [
        (i["type"], i["payload"].get("back_pay_amount"))
        for i in mine
        if i["type"] in ("termination/v1", "restoration/v1")
    ]
    assert money == [("termination/v1", None), ("restoration/v1", "238.00")], money  # M(-1)
    assert len({i["sequence"] for i in mine}) == len(mine)
    (restored,) = [i for i in mine if i["type"] == "restoration/v1"]
    payload = restored["payload"]
    assert (payload["back_pay_from"], payload["back_pay_to"]) == (
        f"{VOIDED_IN}-01", last_day(VOIDED_IN)
    )  # fmt: skip
    assert payload["restore_from"] == THIS_MONTH_FIRST.isoformat()
    assert payload["person"]["region"]["county"] == county_a
    assert task in {i["payload"].get("task_id") for i in mine}
    await office.client.close()
