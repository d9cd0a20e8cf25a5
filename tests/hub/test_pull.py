"""The provincial pull: bearer tokens, cursors, pages, re-verifiable items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hubkit import Hub

from certhub.security import issue_read_token, parse_compact, verify_receipt

PROBLEM = "urn:certhub:problem:"


async def push_reports(hub: Hub, count: int) -> list[int]:
    sequences = []
    for _ in range(count):
        status, body = await hub.push(hub.sign(hub.report()))
        assert status == 202
        sequences.append(body["sequence"])
    return sequences


async def test_pull_pages_through_everything_once_in_order(hub: Hub) -> None:
    pushed = await push_reports(hub, 25)
    seen: list[int] = []
    cursor = ""
    pages = 0
    while True:
        params = {"limit": "10"} | ({"after": cursor} if cursor else {})
        status, page = await hub.pull(**params)
        assert status == 200
        pages += 1
        seen += [item["sequence"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == pushed
    assert pages == 3
    # the cursor of the last page stays valid: later pushes are picked up from it
    later = await push_reports(hub, 2)
    _, page = await hub.pull(after=cursor)
    assert [item["sequence"] for item in page["items"]] == later


async def test_items_can_be_reverified_by_the_puller(hub: Hub) -> None:
    token = hub.sign(hub.report())
    await hub.push(token)
    _, page = await hub.pull()
    (item,) = page["items"]
    assert item["jws"].encode() == token
    jws = parse_compact(token)
    assert hub.keys["city"].verifying_key().verify(jws.signature, jws.signing_input)
    jwks = await (await hub.client.get("/.well-known/jwks.json")).json()
    assert verify_receipt(item["receipt"], jwks)["ledger_sequence"] == item["sequence"]
    assert item["sender"] == "city"
    assert item["type"] == "eligibility_report/v1"


async def test_reports_and_certifications_are_pulled_separately(hub: Hub) -> None:
    await push_reports(hub, 2)
    status, page = await hub.pull("/v1/certifications")
    assert status == 200
    assert page["items"] == []
    assert page["has_more"] is False


async def test_a_report_cursor_is_refused_by_the_certification_pull(hub: Hub) -> None:
    await push_reports(hub, 1)
    _, page = await hub.pull()
    status, body = await hub.pull("/v1/certifications", after=page["next_cursor"])
    assert (status, body["type"]) == (400, PROBLEM + "invalid-cursor")


@pytest.mark.parametrize(
    "cursor", ["garbage", "eyJ2IjoxfQ", "x" * 300, "%%%", "eyJ2IjoxLCJrIjoicmVwb3J0IiwicyI6LTF9"]
)
async def test_forged_cursors_are_refused(hub: Hub, cursor: str) -> None:
    status, body = await hub.pull(after=cursor)
    assert (status, body["type"]) == (400, PROBLEM + "invalid-cursor")


@pytest.mark.parametrize("limit", ["0", "1001", "abc", "-1", "1e3", "５"])
async def test_bad_limits_are_refused(hub: Hub, limit: str) -> None:
    status, body = await hub.pull(limit=limit)
    assert (status, body["type"]) == (400, PROBLEM + "invalid-parameter")


async def test_anonymous_pull_is_refused_with_a_challenge(hub: Hub) -> None:
    await push_reports(hub, 1)
    response = await hub.client.get("/v1/reports")
    body = await response.json(content_type=None)
    assert (response.status, body["type"]) == (401, PROBLEM + "authentication-required")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "items" not in body


async def test_a_sender_that_may_not_read_is_refused(hub: Hub) -> None:
    response = await hub.client.get("/v1/reports", headers=hub.bearer("city"))
    body = await response.json(content_type=None)
    assert (response.status, body["type"]) == (403, PROBLEM + "not-authorized")


async def test_an_expired_token_is_refused(hub: Hub) -> None:
    old = datetime.now(UTC) - timedelta(hours=1)
    token = issue_read_token(hub.keys["province"], sender="province", now=old)
    response = await hub.client.get("/v1/reports", headers={"Authorization": f"Bearer {token}"})
    body = await response.json(content_type=None)
    assert (response.status, body["type"]) == (401, PROBLEM + "token-expired")


async def test_a_long_lived_token_is_refused(hub: Hub) -> None:
    headers = hub.bearer(lifetime=timedelta(days=1))
    response = await hub.client.get("/v1/reports", headers=headers)
    assert response.status == 401


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "Bearer ..."]
)
async def test_malformed_authorization_is_refused(hub: Hub, header: str) -> None:
    response = await hub.client.get("/v1/reports", headers={"Authorization": header})
    assert response.status == 401
    assert response.content_type == "application/problem+json"


async def test_a_token_of_an_unknown_key_is_refused(hub: Hub) -> None:
    response = await hub.client.get("/v1/reports", headers=hub.bearer("intruder"))
    assert response.status == 401
