"""``GET /v1/my-reports``: a sender's own reports, each with its live stage in the procedure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from procedurekit import PARTIES, REPORTS, Office, open_office, trust_store

from certhub.schemas.clock import shanghai_today
from certhub.security import SigningKey

VILLAGE = {"county": "440103", "village": "440103001201"}
COORDINATOR = "coord-440103001201"


@pytest.fixture
async def office(aiohttp_client: Callable[..., Any], tmp_path: Path) -> Office:
    """A hub with a party in every role and one coordinator who may read."""
    keys = {party: SigningKey.generate() for party in [*PARTIES, COORDINATOR]}
    store = trust_store(keys).add(
        keys[COORDINATOR].public_jwk(),
        sender=COORDINATOR,
        may_send=REPORTS,
        may_read=True,
        role="coordinator",
    )
    return await open_office(aiohttp_client, tmp_path / "data", keys, store=store)


def report(office: Office, reason: str, *, sender: str = COORDINATOR) -> dict[str, Any]:
    """A report of ``reason`` about a new person, collected by ``sender``."""
    person = office.people.person()
    role = "coordinator" if sender == COORDINATOR else "town_staff"
    return {
        "type": "eligibility_report/v1",
        "reason": reason,
        "person": person,
        "event_date": (shanghai_today() - timedelta(days=3)).isoformat(),
        "reporter": {"id": sender if sender == COORDINATOR else "town-relay", "role": role},
        "region": VILLAGE,
    }


async def send(office: Office, payload: dict[str, Any], party: str = COORDINATOR) -> int:
    status, receipt = await office.post("/v1/reports", party, payload)
    assert status == 202, receipt
    return int(receipt["sequence"])


async def mine(office: Office, **params: str) -> dict[str, Any]:
    status, body = await office.get("/v1/my-reports", COORDINATOR, **params)
    assert status == 200, body
    return dict(body)


def stages(body: dict[str, Any]) -> list[tuple[int, str]]:
    return [(item["sequence"], item["stage"]) for item in body["items"]]


async def test_each_report_shows_its_stage_from_receipt_to_termination(office: Office) -> None:
    last_month = date.fromisoformat(shanghai_today().isoformat()[:8] + "01") - timedelta(days=1)
    zero = await send(
        office,
        {
            "type": "zero_report/v1",
            "reporter": {"id": COORDINATOR, "role": "coordinator"},
            "region": VILLAGE,
            "period": last_month.isoformat()[:7],
            "count": 0,
        },
    )
    death = await send(office, report(office, "death"))
    prison = await send(office, report(office, "imprisonment"))
    await send(office, report(office, "death", sender="city"), party="city")  # not mine

    body = await mine(office)
    assert stages(body) == [(prison, "received"), (death, "received"), (zero, "recorded")]
    assert body["next_before"] is None
    first = body["items"][1]
    assert first["person"]["id_number"].count("*") == 10
    assert first["receipt"].count(".") == 2

    for item, party, action in (
        (death, "town-1", "accept"),
        (prison, "town-1", "accept"),
        (prison, "county-1", "reject"),
    ):
        assert (await office.decide("reports", item, party, action))[0] == 202
    assert stages(await mine(office))[:2] == [(prison, "rejected"), (death, "accepted")]

    assert (await office.decide("reports", death, "county-1", "approve"))[0] == 202
    item = (await mine(office))["items"][1]
    assert (item["stage"], item["review"], item["task"]["status"]) == (
        "task_open",
        "approved",
        "open",
    )

    task_id = item["task"]["task_id"]
    died = (shanghai_today() - timedelta(days=3)).isoformat()
    status, body = await office.step(task_id, "county-1", "confirmed", event_date=died)
    assert status == 202, body
    item = (await mine(office))["items"][1]
    assert (item["stage"], item["task"]["disposal"]) == ("terminated", "terminate")


async def test_pages_run_newest_first_without_gaps(office: Office) -> None:
    sent = [await send(office, report(office, "missing")) for _ in range(5)]
    seen: list[int] = []
    params = {"limit": "2"}
    while True:
        body = await mine(office, **params)
        seen += [item["sequence"] for item in body["items"]]
        if body["next_before"] is None:
            break
        params = {"limit": "2", "before": str(body["next_before"])}
    assert seen == sent[::-1]


@pytest.mark.parametrize("before", ["-1", "1.5", "x", "1" * 19, "١٢"])
async def test_a_bad_before_is_refused(office: Office, before: str) -> None:
    status, body = await office.get("/v1/my-reports", COORDINATOR, before=before)
    assert (status, body["type"]) == (400, "urn:certhub:problem:invalid-parameter")


async def test_only_a_reader_sees_its_reports(office: Office) -> None:
    response = await office.client.get("/v1/my-reports")
    assert response.status == 401
    status, body = await office.get("/v1/my-reports", "city")  # may send, may not read
    assert (status, body["type"]) == (403, "urn:certhub:problem:not-authorized")
    await send(office, report(office, "death", sender="city"), party="city")
    # The province reads every report, yet sees none here: it has sent none.
    assert (await office.get("/v1/my-reports", "province"))[1]["items"] == []
