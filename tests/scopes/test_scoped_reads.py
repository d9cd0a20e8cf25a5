"""Every read endpoint, read by keys confined to a village, a town, a county and a city.

The expected answer is computed by the test itself: the province-wide reader
(no area) pulls everything, and the test keeps what the payload's own region
puts inside the area. A scoped reader must get exactly that — in the same
order, over cursor pages — and a record outside its area must look exactly
like one that does not exist.
"""

from __future__ import annotations

from typing import Any

import pytest
from evidence_samples import pdf
from scopekit import SCOPED, A, B, C, D, World, X, Y, inside, today, village_of

from certhub.security import issue_read_token

PROBLEM = "urn:certhub:problem:"
COLLECTIONS = ["/v1/reports", "/v1/certifications", "/v1/decisions", "/v1/restorations",
               "/v1/outcomes"]  # fmt: skip
READERS = ["coord-a", "coord-b", "town-x1", "county-x", "city-gz"]


@pytest.mark.parametrize("path", COLLECTIONS)
async def test_each_pull_serves_a_scoped_reader_exactly_its_area(world: World, path: str) -> None:
    everything = await world.items(path, "province")
    assert everything, f"the world has no {path}: the test would prove nothing"
    regions = await _item_regions(world)
    for reader in READERS:
        area = SCOPED[reader][1]
        expected = [i["sequence"] for i in everything if inside(area, _region(i, regions))]
        got = await world.items(path, reader)
        assert [i["sequence"] for i in got] == expected, (path, reader)


async def _item_regions(world: World) -> dict[str, str | None]:
    """Each item under review (its sequence) and its region, as the payloads say."""
    items = []
    for path in ("/v1/reports", "/v1/certifications", "/v1/restorations"):
        items += await world.items(path, "province")
    return {str(i["sequence"]): village_of(i["payload"]) for i in items}


def _region(item: dict[str, Any], regions: dict[str, str | None]) -> str | None:
    """A record's region; a decision's is the region of the item it decides."""
    payload = item["payload"]
    if payload["type"] == "decision/v1":
        return regions[payload["subject_id"]]
    return village_of(payload)


async def test_the_pulls_hold_what_each_area_should_see(world: World) -> None:
    """The oracle above is not vacuous: the world puts records in and out of each area."""
    reports = {village_of(i["payload"]) for i in await world.items("/v1/reports", "county-x")}
    assert reports == {A, B, C}  # two deaths and a zero report; not D's death (福田区)
    assert {village_of(i["payload"]) for i in await world.items("/v1/reports", "coord-a")} == {A}
    certified = await world.items("/v1/certifications", "county-x")
    assert [village_of(i["payload"]) for i in certified] == [C]
    assert await world.items("/v1/certifications", "coord-a") == []
    restorations = await world.items("/v1/restorations", "coord-b")
    assert [village_of(i["payload"]) for i in restorations] == [B]
    assert await world.items("/v1/restorations", "coord-a") == []
    outcomes = await world.items("/v1/outcomes", "coord-a")
    assert {i["type"] for i in outcomes} >= {"termination/v1", "overpayment/v1"}
    assert {village_of(i["payload"]) for i in outcomes} == {A}
    # A decision is in the area of the item it decides: A's and B's, accepted and approved.
    assert len(await world.items("/v1/decisions", "province")) == 6
    assert len(await world.items("/v1/decisions", "county-x")) == 4
    assert len(await world.items("/v1/decisions", "coord-a")) == 2


async def test_a_town_and_a_city_key_read_their_villages(world: World) -> None:
    town = {village_of(i["payload"]) for i in await world.items("/v1/reports", "town-x1")}
    assert town == {A, B}  # 440103001: A and B, not C (town 002)
    city = {village_of(i["payload"]) for i in await world.items("/v1/reports", "city-gz")}
    assert city == {A, B, C}  # 广州市 holds 荔湾区, not 深圳's 福田区


async def test_the_task_list_is_filtered_and_a_task_outside_is_not_found(world: World) -> None:
    tasks = await world.items("/v1/verification-tasks", "coord-a")
    assert [t["task_id"] for t in tasks] == [world.tasks[A]]
    county = await world.items("/v1/verification-tasks", "county-x")
    assert {t["task_id"] for t in county} == {world.tasks[A], world.tasks[B]}
    # A region filter outside the area gives nothing, not the other county's tasks.
    assert await world.items("/v1/verification-tasks", "county-x", region=Y) == []
    assert await world.items("/v1/verification-tasks", "coord-a", region=B) == []
    status, own = await world.read(f"/v1/verification-tasks/{world.tasks[A]}", "coord-a")
    assert (status, own["task_id"]) == (200, world.tasks[A])
    outside = await world.read(f"/v1/verification-tasks/{world.tasks[B]}", "coord-a")
    missing = await world.read("/v1/verification-tasks/task:none", "coord-a")
    assert outside[0] == missing[0] == 404
    assert (
        _problem(outside[1]) == _problem(missing[1]) == ("not-found", "no such verification task")
    )
    status, other_county = await world.read(f"/v1/verification-tasks/{world.tasks[D]}", "county-x")
    assert status == 404, other_county
    assert (await world.read(f"/v1/verification-tasks/{world.tasks[D]}", "province"))[0] == 200


async def test_evidence_is_served_only_where_a_record_of_the_area_cites_it(world: World) -> None:
    """Staff read what their area's records cite; a village coordinator only what it
    uploaded itself (tests/scopes/test_entrance_questions.py says why)."""
    client = world.office.client

    async def download(digest: str, party: str) -> tuple[int, bytes, Any]:
        token = issue_read_token(world.office.keys[party], sender=party)
        response = await client.get(
            f"/v1/evidence/{digest}", headers={"Authorization": f"Bearer {token}"}
        )
        body = await response.read()
        problem = await response.json(content_type=None) if response.status != 200 else None
        return response.status, body, problem

    own = await world.office.upload(pdf("火化证明 photographed by A's coordinator"),
                                    "application/pdf", "coord-a")  # fmt: skip
    assert (await download(own, "coord-a"))[0] == 200
    assert (await download(world.evidence[B], "county-x"))[0] == 200
    assert (await download(world.evidence[f"photo {C}"], "county-x"))[0] == 200
    assert (await download(world.evidence[D], "province"))[0] == 200
    never_stored = "0" * 64
    _, _, missing = await download(never_stored, "coord-a")
    for digest, party in [
        (world.evidence[B], "coord-a"),
        (world.evidence[A], "coord-a"),  # cited in its village, but uploaded by the city
        (world.evidence[A], "coord-b"),
        (world.evidence[D], "county-x"),
        (world.evidence[f"photo {C}"], "coord-a"),
    ]:
        status, _, problem = await download(digest, party)
        assert status == 404, (digest, party)
        assert _problem(problem) == _problem(missing)
        assert _problem(problem)[0] == "evidence-not-found"


async def test_compliance_lists_only_the_units_in_the_area(world: World) -> None:
    period = today().strftime("%Y-%m")
    expected = {"province": [A, B, C, D], "county-x": [A, B, C], "town-x1": [A, B],
                "coord-a": [A], "coord-b": [B]}  # fmt: skip
    for reader, units in expected.items():
        status, body = await world.read("/v1/compliance", reader, period=period)
        assert status == 200, body
        assert sorted(u["code"] for u in body["units"]) == units, reader
    status, body = await world.read("/v1/compliance", "county-x", period=period)
    statuses = {u["code"]: u["status"] for u in body["units"]}
    assert statuses == {A: "reported", B: "reported", C: "zero_reported"}


async def test_statistics_count_only_the_area(world: World) -> None:
    period = today().strftime("%Y-%m")

    async def stats(reader: str, group_by: str = "county") -> dict[str, Any]:
        status, body = await world.read("/v1/stats", reader, period=period, group_by=group_by)
        assert status == 200, body
        return body

    province = await stats("province")
    assert province["reports"] == [{"key": X, "count": 2}, {"key": Y, "count": 1}]
    coord_a = await stats("coord-a")
    assert coord_a["reports"] == [{"key": X, "count": 1}]
    assert coord_a["certifications"] == []
    assert coord_a["tasks"] == [{"key": f"{X}:confirmed", "count": 1}]
    (overpayment,) = province["overpayments"]
    assert coord_a["overpayments"] == [overpayment]  # A's death: the overpayment is A's
    coord_b = await stats("coord-b")
    assert coord_b["tasks"] == [{"key": f"{X}:open", "count": 1}]
    assert coord_b["overpayments"] == []
    county = await stats("county-x")
    assert county["reports"] == [{"key": X, "count": 2}]
    assert [row["count"] for row in county["certifications"]] == [1]
    assert county["tasks"] == [{"key": f"{X}:confirmed", "count": 1},
                               {"key": f"{X}:open", "count": 1}]  # fmt: skip
    assert (await stats("county-x", "reason"))["reports"] == [{"key": "death", "count": 2}]
    assert (await stats("city-gz", "city"))["reports"] == [{"key": "440100", "count": 2}]


async def test_a_token_narrows_its_keys_area_but_never_widens_it(world: World) -> None:
    keys = world.office.keys
    client = world.office.client

    async def reports(party: str, area: str) -> tuple[int, Any]:
        token = issue_read_token(keys[party], sender=party, area=area)
        response = await client.get("/v1/reports", headers={"Authorization": f"Bearer {token}"})
        return response.status, await response.json()

    status, page = await reports("county-x", A)
    assert status == 200
    assert {village_of(i["payload"]) for i in page["items"]} == {A}
    status, page = await reports("province", D)  # a province-wide key may narrow too
    assert {village_of(i["payload"]) for i in page["items"]} == {D}
    status, problem = await reports("coord-a", X)
    assert (status, problem["type"]) == (403, PROBLEM + "not-authorized")
    status, problem = await reports("county-x", Y)
    assert (status, problem["type"]) == (403, PROBLEM + "not-authorized")
    status, problem = await reports("county-x", "4401030")
    assert (status, problem["type"]) == (401, PROBLEM + "invalid-token")


async def test_the_enrolled_key_list_is_scoped(world: World) -> None:
    def senders(body: dict[str, Any]) -> list[str]:
        return [item["sender"] for item in body["items"]]

    status, body = await world.read("/v1/enrolments", "coord-a")
    assert (status, senders(body)) == (200, ["coord-a"])
    status, body = await world.read("/v1/enrolments", "county-x")
    assert senders(body) == ["coord-a", "coord-b", "county-x", "town-x1"]
    status, body = await world.read("/v1/enrolments", "province")
    assert senders(body) == sorted(SCOPED)


def _problem(body: dict[str, Any]) -> tuple[str, str]:
    return body["type"].removeprefix(PROBLEM), body["detail"]
