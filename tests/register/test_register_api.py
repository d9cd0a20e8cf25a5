"""The register's lists over HTTP: certifications pushed through the real API, lists by area.

Every list is asked for the day 2027-03-15 (``?on=``), so the vectors are fixed:
March 2027 is "this month".
"""

from __future__ import annotations

import json
from typing import Any

from hubkit import Hub
from registerkit import COUNTY, VILLAGE, resident_id

from certhub.hub.core.keys import STORE

ON = "2027-03-15"
OTHER_COUNTY = "440104"
AS_OF = "2026-12-01T00:00:00+08:00"

A, B, C, D, E, F = (resident_id(n) for n in range(1, 7))
G = resident_id(7, OTHER_COUNTY)
NAMES = {A: "张三", B: "李四", C: "王五", D: "赵六", E: "钱七", F: "孙八", G: "周九"}


def person(who: str) -> dict[str, Any]:
    county = who[:6]
    region = {"county": county, "village": VILLAGE} if county == COUNTY else {"county": county}
    return {"id_number": who, "name": NAMES[who], "region": region}


async def roster(hub: Hub, *entries: tuple[str, str, str | None]) -> None:
    """Roster entries (person, status, suspended since) written as an import writes them."""
    rows = []
    for who, status, since in entries:
        area = VILLAGE if who[:6] == COUNTY else who[:6]
        snapshot = json.dumps({"person": person(who), "status": status}).encode()
        rows.append((who, AS_OF, snapshot, area, NAMES[who], status, since))
    await hub.client.app[STORE].import_roster(rows)


async def certify(
    hub: Hub, who: str, at: str, method: str = "face", kind: str = "app_12333"
) -> int:
    event = {
        "type": "certification_event/v1",
        "person": person(who),
        "method": method,
        "channel": {"kind": kind},
        "outcome": "certified",
        "occurred_at": at,
    }
    status, body = await hub.push(hub.sign(event, party="channel"), "/v1/certifications")
    assert status == 202, body
    return int(body["sequence"])


async def page(hub: Hub, list_name: str, **params: str) -> dict[str, Any]:
    """One page of a list as the province reads it (``token_area``: a token confined there)."""
    headers = hub.bearer(area=params.pop("token_area", None))
    response = await hub.client.get(
        f"/v1/register/{list_name}", params={"on": ON, **params}, headers=headers
    )
    body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    return body


def people(body: dict[str, Any]) -> list[str]:
    return [item["person"]["id_number"] for item in body["items"]]


async def setting_the_scene(hub: Hub) -> dict[str, int]:
    await roster(
        hub,
        (A, "active", None),
        (B, "active", None),
        (C, "active", None),
        (D, "active", None),
        (E, "suspended", "2025-06-01"),
        (F, "suspended", "2027-01-10"),
        (G, "active", None),
    )
    return {
        "A": await certify(hub, A, "2026-03-31T23:30:00+08:00"),  # 15:30 UTC: still March
        "A-bank": await certify(
            hub, A, "2026-03-31T08:00:00+08:00", "fingerprint", "bank_terminal"
        ),
        "A-kiosk": await certify(hub, A, "2026-03-20T10:00:00+08:00", "face", "yuezhizhu_kiosk"),
        "B": await certify(hub, B, "2026-02-10T10:00:00+08:00"),
        "C": await certify(hub, C, "2026-05-01T10:00:00+08:00"),
        "F": await certify(hub, F, "2026-06-01T10:00:00+08:00"),
        "G": await certify(hub, G, "2026-03-01T10:00:00+08:00"),
    }


async def test_due_overdue_and_suspended_lists_for_one_day(hub: Hub) -> None:
    seq = await setting_the_scene(hub)
    due_now = await page(hub, "due", within="1")
    assert people(due_now) == [A, G]  # due March 2027, whatever the channel
    a = due_now["items"][0]
    assert a["status"] == "due"
    assert a["due_month"] == "2027-03"
    assert a["cycle"] == {"from": "2026-04", "to": "2027-03", "covered_until": "2027-03-31"}
    # three channels in one month: one certification of record (the first recorded), the
    # last passed one by day is the app's late-night one
    assert a["certification_of_record"] == {"ledger_sequence": seq["A"], "month": "2026-03"}
    assert a["last_certification"] == {
        "on": "2026-03-31",
        "method": "fingerprint",
        "channel": "bank_terminal",
        "ledger_sequence": seq["A-bank"],
    }  # same day as the app's: the one recorded later is the last
    assert a["liable_from"] == "2027-04-01"
    assert people(await page(hub, "due", within="3")) == [A, G, C]  # soonest month first
    first = await page(hub, "due", within="3", limit="2")
    assert (people(first), first["has_more"]) == ([A, G], True)
    rest = await page(hub, "due", within="3", limit="2", after=first["next_cursor"])
    assert (people(rest), rest["has_more"]) == ([C], False)
    one = await page(hub, "due", within="3", limit="1", after=first["next_cursor"])
    assert (people(one), one["has_more"]) == ([C], False)
    overdue = await page(hub, "overdue")
    assert people(overdue) == [B, D]
    b, d = overdue["items"]
    assert (b["status"], b["due_month"], b["liable_from"]) == ("overdue", "2027-02", "2027-03-01")
    assert (d["status"], d["due_month"], d["liable_from"]) == ("not_certified", None, None)
    assert people(await page(hub, "suspended")) == [E]  # F was covered when suspended
    assert people(await page(hub, "long-suspended")) == [E]
    assert people(await page(hub, "long-suspended", on="2026-06-01")) == []  # 365 days exactly


async def test_a_list_by_area_and_a_reader_confined_to_an_area(hub: Hub) -> None:
    await setting_the_scene(hub)
    assert people(await page(hub, "due", area=OTHER_COUNTY)) == [G]
    assert people(await page(hub, "due", area="440103001")) == [A, C]  # a town's prefix
    assert people(await page(hub, "due", token_area=COUNTY)) == [A, C]
    assert people(await page(hub, "due", area="440103", token_area=VILLAGE)) == [A, C]
    body = await page(hub, "due", area=OTHER_COUNTY, token_area=COUNTY)
    assert body["items"] == []  # disjoint areas: nothing, never the other county's


async def test_a_village_pages_through_its_pensioners_and_searches(hub: Hub) -> None:
    await setting_the_scene(hub)
    first = await page(hub, "people", area=VILLAGE, limit="4")
    assert people(first) == [A, B, C, D]
    assert first["has_more"] is True
    rest = await page(hub, "people", area=VILLAGE, limit="4", after=first["next_cursor"])
    assert people(rest) == [E, F]
    assert rest["has_more"] is False
    assert [i["status"] for i in rest["items"]] == ["suspended", "suspended"]
    assert people(await page(hub, "people", area=VILLAGE, name="王")) == [C]
    assert people(await page(hub, "people", area=VILLAGE, id_ending=B[-4:])) == [B]


async def test_bad_parameters_and_cursors_are_refused(hub: Hub) -> None:
    await setting_the_scene(hub)
    overdue = await page(hub, "overdue")
    cases = [
        ("people", {}, "invalid-parameter"),  # the people list needs an area
        ("due", {"within": "4"}, "invalid-parameter"),
        ("due", {"area": "4401"}, "invalid-parameter"),
        ("due", {"on": "2027-3-1"}, "invalid-parameter"),
        ("people", {"area": VILLAGE, "id_ending": "12"}, "invalid-parameter"),
        ("due", {"after": overdue["next_cursor"]}, "invalid-cursor"),  # another list's
        ("due", {"after": "forged.cursor"}, "invalid-cursor"),
    ]
    for name, params, slug in cases:
        response = await hub.client.get(
            f"/v1/register/{name}", params={"on": ON, **params}, headers=hub.bearer()
        )
        body = await response.json()
        assert response.status == 400, (name, params, body)
        assert body["type"] == f"urn:certhub:problem:{slug}", (name, params)
    response = await hub.client.get("/v1/register/due")
    assert response.status == 401


async def test_the_summary_counts_people_not_certifications(hub: Hub) -> None:
    await setting_the_scene(hub)
    response = await hub.client.get("/v1/register/summary", params={"on": ON}, headers=hub.bearer())
    body = await response.json()
    assert response.status == 200, body
    assert body["people"] == {
        "on_roster": 7,
        "certified": 0,  # nobody is due later than May 2027
        "due": 3,  # A, C, G: March to May 2027
        "overdue": 1,  # B
        "not_certified": 1,  # D
        "suspended": 2,  # E, F
        "suspended_not_certified": 1,  # E
        "long_suspended": 1,  # E
        "terminated": 0,
    }
    # April 2026 .. March 2027: B (Feb 2026) and A's March 2026 records are outside it;
    # C (May), F (June) inside
    assert body["last_12_months"] == {"people_certified": 2, "certifications": 2}
    on_2026 = await hub.client.get(
        "/v1/register/summary", params={"on": "2026-12-31", "area": COUNTY}, headers=hub.bearer()
    )
    counted = (await on_2026.json())["last_12_months"]
    elsewhere = await hub.client.get(
        "/v1/register/summary",
        params={"on": ON, "area": OTHER_COUNTY},
        headers=hub.bearer(area=COUNTY),
    )
    outside = await elsewhere.json()
    assert outside["area"] == OTHER_COUNTY
    assert set(outside["people"].values()) == {0}  # another county: nothing, never its figures
    # A (three channels, one person), B, C, F in 440103; G is in another county
    assert counted == {"people_certified": 4, "certifications": 6}
