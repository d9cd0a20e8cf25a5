"""A lost phone's reports still under review tell their reviewers its key was revoked, and when.

A coordinator's phone in village A reports three deaths: one stays received, one
town staff accept, one the county approves (its verification task opens). The
phone is lost and the county revokes its key. Before, nothing the reviewers read
changed: the reports and the task looked like any other. Now every read of an
item under review (``GET /v1/reports``) carries ``signing_key_revoked`` and every
read of a task still open (``GET /v1/verification-tasks``, ``…/{task_id}``)
``revoked_sources``: the key, its sender and when it was revoked, joined from the
trust store at read time. Nothing is rejected or closed by it (a lost phone does not
make its earlier reports false), and another phone's report says nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from enrolkit import ENROLLERS, A, County, Phone, now, staff_trust_store
from pgkit import throwaway_database
from procedurekit import PARTIES, open_office

from certhub.security import SigningKey


@pytest.fixture(params=["sqlite", "postgres"])
async def county_db(
    request: pytest.FixtureRequest, aiohttp_client: Callable[..., Any], tmp_path: Path
) -> AsyncIterator[County]:
    """The enrolment tests' hub (county-x enrols phones of 440103) on SQLite, then on a
    PostgreSQL database of its own (the trust store is then the deployment's, in it)."""
    keys = {party: SigningKey.generate() for party in [*PARTIES, *ENROLLERS]}
    store, data = staff_trust_store(keys), tmp_path / "data"
    if request.param == "sqlite":
        yield County(await open_office(aiohttp_client, data, keys, store=store))
        return
    with throwaway_database("certhub_revoked") as url:
        office = await open_office(aiohttp_client, data, keys, store=store, database_url=url)
        yield County(office)
        await office.client.close()


async def reports_read(county: County, party: str = "county-x") -> dict[int, dict[str, Any]]:
    """Every report ``party`` reads at ``GET /v1/reports``, by sequence."""
    status, page = await county.office.get("/v1/reports", party, limit="100")
    assert (status, page["has_more"]) == (200, False), page
    return {item["sequence"]: item for item in page["items"]}


async def tasks_read(county: County) -> list[dict[str, Any]]:
    """Every verification task county-x reads at ``GET /v1/verification-tasks``."""
    status, page = await county.office.get("/v1/verification-tasks", "county-x", limit="100")
    assert (status, page["has_more"]) == (200, False), page
    items: list[dict[str, Any]] = page["items"]
    return items


async def deadlines_read(county: County, path: str) -> list[dict[str, Any]]:
    """Every row county-x reads at ``path`` (``/v1/report-deadlines`` or ``/v1/task-deadlines``),
    the reviewers' queues of what is due."""
    status, page = await county.office.get(path, "county-x", limit="100")
    assert (status, page["has_more"]) == (200, False), page
    rows: list[dict[str, Any]] = page["items"]
    return rows


async def reported(county: County, phone: Phone) -> int:
    """A death in village A the phone reports: its item (ledger sequence)."""
    status, receipt = await county.push(phone, county.report(phone, A))
    assert status == 202, receipt
    return int(receipt["sequence"])


async def test_reviewers_are_told_a_phone_was_revoked_and_nothing_is_decided_for_them(
    county_db: County,
) -> None:
    county = county_db
    office = county.office
    lost, kept = await county.enrolled_phone(A), await county.enrolled_phone(A)
    received, accepted, approved = [await reported(county, lost) for _ in range(3)]
    other = await reported(county, kept)
    assert (await office.decide("reports", accepted, "town-1", "accept"))[0] == 202
    for step in [("town-1", "accept"), ("county-1", "approve")]:
        assert (await office.decide("reports", approved, *step))[0] == 202
    (task,) = await tasks_read(county)
    assert (task["task_id"], task["status"]) == (f"task-{approved}", "open")
    before = await reports_read(county)
    assert not any("signing_key_revoked" in item for item in before.values())
    assert "revoked_sources" not in task
    queued = await deadlines_read(county, "/v1/report-deadlines")
    assert [row["item_id"] for row in queued] == [received, accepted, other]
    assert not any("signing_key_revoked" in row for row in queued)
    (due,) = await deadlines_read(county, "/v1/task-deadlines")
    assert "revoked_sources" not in due

    start = now()
    revocation = {"type": "key_revocation/v1", "kid": lost.enrolled["kid"], "reason": "手机丢失"}
    status, body = await office.post("/v1/enrolments/revocations", "county-x", revocation)
    assert status == 200, body

    key = {"kid": lost.enrolled["kid"], "sender": lost.enrolled["sender"]}
    after = await reports_read(county)
    named = dict(after[received]["signing_key_revoked"])  # as every read names the key
    for item in (received, accepted):
        told = after[item].pop("signing_key_revoked")
        revoked_at = datetime.fromisoformat(told.pop("revoked_at"))
        assert told == key
        assert start <= revoked_at <= now()
        assert after[item] == before[item]  # otherwise as it was: nothing decided for them
    assert (after[received]["status"], after[accepted]["status"]) == ("received", "accepted")
    assert after[approved] == before[approved]  # decided: no longer under review
    assert after[other] == before[other]  # the other phone's report says nothing

    (listed,) = await tasks_read(county)
    status, viewed = await office.get(f"/v1/verification-tasks/{task['task_id']}", "county-x")
    assert status == 200, viewed
    for shown in (listed, viewed):
        (source,) = shown.pop("revoked_sources")
        assert datetime.fromisoformat(source.pop("revoked_at")) == revoked_at
        assert source == {"sequence": approved, **key}
        assert shown == task  # still open, nothing else changed
    queued_after = await deadlines_read(county, "/v1/report-deadlines")
    told = {row["item_id"]: row.pop("signing_key_revoked", None) for row in queued_after}
    assert queued_after == queued
    assert [told[received], told[accepted], told[other]] == [named, named, None]
    (due_after,) = await deadlines_read(county, "/v1/task-deadlines")
    (source,) = due_after.pop("revoked_sources")
    assert source == {"sequence": approved, **told[received]}
    assert due_after == due
