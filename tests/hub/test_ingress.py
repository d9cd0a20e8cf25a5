"""Pushing signed messages through the real HTTP API: acceptance, receipts, refusals."""

from __future__ import annotations

import hashlib
import io
import json
import time
import unicodedata
from typing import Any

import pytest
from hubkit import JOSE, Hub, an_hour_ago, app_event

from certhub.security import verify_receipt

PROBLEM = "urn:certhub:problem:"


async def hub_jwks(hub: Hub) -> dict[str, Any]:
    response = await hub.client.get("/.well-known/jwks.json")
    body: dict[str, Any] = await response.json()
    return body


async def test_accepted_report_gets_a_verifiable_receipt(hub: Hub) -> None:
    token = hub.sign(hub.report())
    status, body = await hub.push(token)
    assert status == 202
    assert body["duplicate"] is False
    receipt = verify_receipt(body["receipt"], await hub_jwks(hub))
    assert receipt["sha256"] == hashlib.sha256(token).hexdigest() == body["sha256"]
    assert receipt["ledger_sequence"] == body["sequence"]
    assert receipt["message_id"] == body["message_id"]
    assert receipt["sender"] == "city"
    assert await hub.stored() == 1


async def test_zero_report_and_certification_are_accepted(hub: Hub) -> None:
    zero = hub.population.zero_report("2024-06")
    assert (await hub.push(hub.sign(zero)))[0] == 202
    event = app_event(hub.population.person(), "2024-06-01T09:30:00+08:00")
    status, body = await hub.push(hub.sign(event, party="channel"), "/v1/certifications")
    assert status == 202, body
    assert await hub.stored() == 2


async def test_resending_the_same_message_returns_the_same_receipt(hub: Hub) -> None:
    token = hub.sign(hub.report())
    _, first = await hub.push(token)
    status, again = await hub.push(token)
    assert status == 202
    assert again["duplicate"] is True
    assert again["receipt"] == first["receipt"]
    assert again["sequence"] == first["sequence"]
    assert await hub.stored() == 1


def _tamper(token: bytes) -> bytes:
    head, payload, signature = token.split(b".")
    middle = len(payload) // 2
    flipped = b"A" if payload[middle : middle + 1] != b"A" else b"B"
    return b".".join((head, payload[:middle] + flipped + payload[middle + 1 :], signature))


def _bad_id(hub: Hub) -> dict[str, Any]:
    report = hub.report()
    number = report["person"]["id_number"]
    report["person"]["id_number"] = number[:-1] + ("1" if number[-1] != "1" else "2")
    return report


def _feb_30(hub: Hub) -> dict[str, Any]:
    from certhub.schemas import check_character

    report = hub.report()
    first17 = report["person"]["id_number"][:6] + "19500230" + "123"
    report["person"]["id_number"] = first17 + check_character(first17)
    return report


def _member_twice(hub: Hub, member: str, second: Any) -> bytes:
    """A report whose JSON text has ``member`` twice (the second value last)."""
    text = json.dumps(hub.report(), ensure_ascii=False)
    return hub.sign(f'{text[:-1]},"{member}":{json.dumps(second)}}}'.encode())


# name -> (build(hub) -> (token, path, headers), status, problem slug)
CASES: dict[str, Any] = {
    "tampered payload": (
        lambda h: (_tamper(h.sign(h.report())), None, None),
        401,
        "signature-invalid",
    ),
    "another sender's key": (
        lambda h: (h.sign(h.report(), party="other-city", sender="city"), None, None),
        403,
        "sender-mismatch",
    ),
    "unknown key": (
        lambda h: (h.sign(h.report(), party="intruder"), None, None),
        401,
        "unknown-key",
    ),
    "type the sender may not send": (
        lambda h: (
            h.sign({"type": "certification_event/v1"}, party="city"),
            "/v1/certifications",
            None,
        ),
        403,
        "type-not-allowed",
    ),
    "type this endpoint does not take": (
        lambda h: (
            h.sign(h.population.zero_report("2024-01"), party="city"),
            "/v1/certifications",
            None,
        ),
        400,
        "type-not-expected",
    ),
    "json body instead of jws": (
        lambda h: (json.dumps(h.report()).encode(), None, {"Content-Type": "application/json"}),
        415,
        "unsupported-media-type",
    ),
    "json body labelled as jose": (
        lambda h: (json.dumps(h.report()).encode(), None, None),
        400,
        "malformed-message",
    ),
    "no content type": (
        lambda h: (h.sign(h.report()), None, {"Content-Type": ""}),
        415,
        "unsupported-media-type",
    ),
    "invalid utf-8 payload": (
        lambda h: (h.sign(b'{"type":"eligibility_report/v1","remarks":"\xff\xfe"}'), None, None),
        400,
        "invalid-utf8",
    ),
    "payload not json": (lambda h: (h.sign(b"not json at all"), None, None), 400, "invalid-json"),
    "a member twice in the payload": (
        lambda h: (_member_twice(h, "reason", "imprisonment"), None, None),
        400,
        "malformed-message",
    ),
    "two persons in the payload": (
        lambda h: (_member_twice(h, "person", h.population.person()), None, None),
        400,
        "malformed-message",
    ),
    "wrong check digit": (lambda h: (h.sign(_bad_id(h)), None, None), 422, "schema-violation"),
    "birth date 30 february": (lambda h: (h.sign(_feb_30(h)), None, None), 422, "schema-violation"),
    "unknown region": (
        lambda h: (h.sign(h.report(region={"county": "449999"})), None, None),
        422,
        "schema-violation",
    ),
    "several persons in one message": (
        lambda h: (h.sign(h.report(persons=[h.population.person()])), None, None),
        422,
        "schema-violation",
    ),
    "iat an hour old": (
        lambda h: (h.sign(h.report(), iat=int(an_hour_ago().timestamp())), None, None),
        400,
        "clock-skew",
    ),
    "iat an hour ahead": (
        lambda h: (h.sign(h.report(), iat=int(time.time()) + 3600), None, None),
        400,
        "clock-skew",
    ),
    "empty body": (lambda h: (b"", None, None), 400, "malformed-message"),
    "trailing newline": (
        lambda h: (h.sign(h.report()) + b"\n", None, None),
        400,
        "malformed-message",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_bad_input_is_refused_stores_nothing_and_the_hub_keeps_serving(
    hub: Hub, case: str
) -> None:
    build, status, slug = CASES[case]
    token, path, headers = build(hub)
    response = await hub.client.post(path or "/v1/reports", data=token, headers=headers or JOSE)
    body = await response.json(content_type=None)
    assert (response.status, body["type"]) == (status, PROBLEM + slug), body
    assert response.content_type == "application/problem+json"
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert await hub.stored() == 0
    assert (await hub.client.get("/healthz")).status == 200


async def test_schema_violation_names_the_field_but_never_echoes_the_id_number(hub: Hub) -> None:
    report = _bad_id(hub)
    status, body = await hub.push(hub.sign(report))
    assert status == 422
    assert [error["pointer"] for error in body["errors"]] == ["/person/id_number"]
    text = json.dumps(body, ensure_ascii=False)
    assert report["person"]["id_number"] not in text
    assert report["person"]["id_number"][:17] not in text


async def test_a_replayed_message_id_with_other_content_is_refused(hub: Hub) -> None:
    assert (await hub.push(hub.sign(hub.report(), jti="same-id")))[0] == 202
    status, body = await hub.push(hub.sign(hub.report(), jti="same-id"))
    assert (status, body["type"]) == (409, PROBLEM + "replay")
    assert await hub.stored() == 1


async def test_a_late_resend_with_other_bytes_never_gets_the_old_receipt(hub: Hub) -> None:
    first = hub.sign(hub.report(reason="death"), jti="late-one")
    status, accepted = await hub.push(first)
    assert status == 202, accepted
    stale = int(an_hour_ago().timestamp())
    changed = hub.sign(hub.report(reason="imprisonment"), jti="late-one", iat=stale)
    status, body = await hub.push(changed)
    assert (status, body["type"]) == (400, PROBLEM + "clock-skew"), body
    assert "receipt" not in body
    fresh_change = hub.sign(hub.report(reason="imprisonment"), jti="late-one")
    status, body = await hub.push(fresh_change)
    assert (status, body["type"]) == (409, PROBLEM + "replay"), body
    status, again = await hub.push(first)  # the very same bytes: the old receipt
    assert (status, again["duplicate"], again["receipt"]) == (202, True, accepted["receipt"])
    assert await hub.stored() == 1
    _, page = await hub.pull()
    assert [item["payload"]["reason"] for item in page["items"]] == ["death"]


async def test_the_same_message_id_from_two_senders_is_two_messages(hub: Hub) -> None:
    assert (await hub.push(hub.sign(hub.report(), jti="shared")))[0] == 202
    token = hub.sign(hub.report(), party="other-city", jti="shared")
    assert (await hub.push(token))[0] == 202
    assert await hub.stored() == 2


async def test_a_ten_mebibyte_body_is_refused(hub: Hub) -> None:
    body_stream = io.BytesIO(b"a" * (10 * 1024 * 1024))
    response = await hub.client.post("/v1/reports", data=body_stream, headers=JOSE)
    status, body = response.status, await response.json(content_type=None)
    assert (status, body["type"]) == (413, PROBLEM + "body-too-large")
    assert await hub.stored() == 0
    assert (await hub.client.get("/healthz")).status == 200


async def test_a_chunked_body_over_the_limit_is_refused(hub_factory: Any) -> None:
    hub = await hub_factory(max_body_bytes=4096)

    async def chunks() -> Any:
        for _ in range(10):
            yield b"a" * 1024

    response = await hub.client.post("/v1/reports", data=chunks(), headers=JOSE)
    body = await response.json(content_type=None)
    assert (response.status, body["type"]) == (413, PROBLEM + "body-too-large")


NAUGHTY = [
    "'; DROP TABLE ledger; --",
    '" OR 1=1 --',
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "{{7*7}} ${7*7} #{7*7}",
    "\u202etxt.exe",
    "a\u200db\u200cc\ufeffd",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "👨‍👩‍👧‍👦🏳️‍🌈",
    "田中さんにあげて下さい",
    "阿依古丽·买买提",
    "\\x00\\u0000 %s %n %x",
    "../../../../etc/passwd",
    "\r\n\tHeader-Injection: yes",
    "ﷺ" * 50,
    "null",
    "undefined",
    "\u0085\u2028\u2029",
    "  leading and trailing spaces  ",
    "￾￿",
]


def _a_possible_name(text: str) -> bool:
    """Visible text only: no control, format or separator character (Cc, Cf, Zl, Zp)."""
    invisible = {"Cc", "Cf", "Zl", "Zp"}
    return not text.isspace() and all(unicodedata.category(c) not in invisible for c in text)


@pytest.mark.parametrize("text", NAUGHTY)
async def test_naughty_strings_are_stored_and_returned_byte_exact(hub: Hub, text: str) -> None:
    report = hub.report(remarks=text)
    name = text[:100] if _a_possible_name(text[:100]) else "阿依古丽·买买提"
    report["person"]["name"] = name
    report["reporter"]["name"] = name
    status, body = await hub.push(hub.sign(report))
    assert status == 202, body
    status, page = await hub.pull()
    assert status == 200
    (item,) = page["items"]
    assert item["payload"]["remarks"] == text
    assert item["payload"]["person"]["name"] == name
    assert item["payload"]["reporter"]["name"] == name


@pytest.mark.parametrize("text", [t[:100] for t in NAUGHTY if not _a_possible_name(t[:100])])
async def test_invisible_names_are_refused_and_nothing_is_stored(hub: Hub, text: str) -> None:
    report = hub.report()
    report["person"]["name"] = text
    status, body = await hub.push(hub.sign(report))
    assert (status, body["type"]) == (422, PROBLEM + "schema-violation"), body
    assert [error["pointer"] for error in body["errors"]] == ["/person/name"]
    assert await hub.stored() == 0
