"""Enrolment through the real HTTP API: a code, a phone's key, its reports and reads, revocation."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from typing import Any

from enrolkit import A, B, County, D, Phone
from evidence_samples import pdf

from certhub.hub.core.keys import METRICS, STORE, TRUST
from certhub.security import SigningKey, jwk_thumbprint

PROBLEM = "urn:certhub:problem:"


def slug(body: dict[str, Any]) -> str:
    return str(body["type"]).removeprefix(PROBLEM)


async def test_an_enrolled_phone_reports_as_its_coordinator_and_reads_only_its_village(
    county: County,
) -> None:
    status, issued = await county.request_code("county-x", village=A, hours=2)
    assert status == 201, issued
    assert issued["village"] == A
    assert issued["role"] == "coordinator"
    assert len(issued["code"]) == 14
    assert issued["code"][4] == issued["code"][9] == "-"
    phone = Phone()
    typed = issued["code"].replace("-", " ")  # read out over the phone, typed with spaces
    status, enrolled = await county.enrol(typed, phone.webcrypto_jwk())
    assert status == 201, enrolled
    assert enrolled["kid"] == jwk_thumbprint(phone.key.public_jwk())
    assert enrolled["sender"] == issued["sender"]
    assert (enrolled["role"], enrolled["area"], enrolled["may_read"]) == ("coordinator", A, True)
    assert enrolled["may_send"] == ["eligibility_report/v1", "zero_report/v1"]
    phone.enrolled = enrolled
    entry = county.office.client.app[TRUST].store.get(enrolled["kid"])
    assert entry is not None
    assert entry.area is not None
    assert entry.area.code == A

    # The phone uploads a photo with its own token, then reports a death citing it.
    response = await county.office.client.post(
        "/v1/evidence",
        data=io.BytesIO(pdf("死亡证明 phone")),
        headers={"Content-Type": "application/pdf", **phone.bearer("evidence")},
    )
    assert response.status == 201, await response.text()
    digest = (await response.json())["sha256"]
    report = county.report(phone, A) | {
        "evidence": [
            {"sha256": digest, "kind": "death_certificate", "media_type": "application/pdf"}
        ]
    }
    status, receipt = await county.push(phone, report)
    assert status == 202, receipt
    assert receipt["sender"] == enrolled["sender"]
    # A city platform reports in village B of the same county.
    other = county.office.people.eligibility_report() | {
        "region": {"county": B[:6], "village": B},
    }
    assert (await county.office.post("/v1/reports", "city", other))[0] == 202

    response = await county.office.client.get("/v1/reports", headers=phone.bearer())
    page = await response.json()
    assert response.status == 200, page
    assert [item["sequence"] for item in page["items"]] == [receipt["sequence"]]
    response = await county.office.client.get(f"/v1/evidence/{digest}", headers=phone.bearer())
    assert response.status == 200
    # County staff see both villages.
    status, page = await county.office.get("/v1/reports", "county-x")
    assert len(page["items"]) == 2


async def test_a_coordinators_report_must_name_the_phone_as_reporter(county: County) -> None:
    phone = await county.enrolled_phone()
    forged = county.report(phone, A) | {"reporter": {"id": "coord-other", "role": "coordinator"}}
    before = await county.office.ledger_size()
    status, body = await county.push(phone, forged)
    assert (status, slug(body)) == (403, "forged-role")
    status, body = await county.push(phone, county.report(phone, A) | {"type": "zero_report/v1"})
    assert status in (400, 422), body
    decision = {"type": "decision/v1", "subject_id": "1", "action": "accept"}
    response = await county.office.client.post(
        "/v1/reports/1/decisions",
        data=phone.sign(decision),
        headers={"Content-Type": "application/jose"},
    )
    assert (response.status, slug(await response.json())) == (403, "type-not-allowed")
    assert await county.office.ledger_size() == before


async def test_a_code_is_used_once_even_by_two_phones_at_the_same_moment(county: County) -> None:
    status, issued = await county.request_code("county-x", village=A)
    assert status == 201
    phones = [Phone(), Phone()]
    results = await asyncio.gather(
        *(county.enrol(issued["code"], phone.webcrypto_jwk()) for phone in phones)
    )
    statuses = sorted(status for status, _ in results)
    assert statuses == [201, 403], results
    loser = next(body for status, body in results if status == 403)
    assert slug(loser) == "enrolment-code-invalid"
    store = county.office.client.app[TRUST].store
    assert sum(1 for entry in store if entry.sender == issued["sender"]) == 1
    assert (await county.enrol(issued["code"], Phone().webcrypto_jwk()))[0] == 403


async def test_unknown_used_and_malformed_codes_get_one_answer(county: County) -> None:
    _status, issued = await county.request_code("county-x", village=A)
    assert (await county.enrol(issued["code"], Phone().webcrypto_jwk()))[0] == 201
    answers = [
        await county.enrol(code, Phone().webcrypto_jwk())
        for code in (issued["code"], "0000-0000-0000", "12345", "１２３４５６７８９０１２")
    ]
    assert {(status, body["type"], body["detail"]) for status, body in answers} == {
        (403, PROBLEM + "enrolment-code-invalid", answers[0][1]["detail"])
    }


async def test_a_bad_key_does_not_use_up_the_code(county: County) -> None:
    status, issued = await county.request_code("county-x", village=A)
    assert status == 201
    private = SigningKey.generate()
    with_d = Phone(key=private).webcrypto_jwk() | {"d": "AAAA"}
    rsa = {"kty": "RSA", "n": "AQAB", "e": "AQAB"}
    trusted_already = county.office.keys["city"].public_jwk()
    for jwk in (with_d, rsa, {"kty": "OKP", "crv": "Ed25519", "x": "short"}, "a string"):
        status, body = await county.enrol(issued["code"], jwk)
        assert (status, slug(body)) == (400, "enrolment-key-invalid"), (jwk, body)
    status, body = await county.enrol(issued["code"], trusted_already)
    assert (status, slug(body)) == (400, "enrolment-key-invalid")
    status, body = await county.enrol(issued["code"], Phone().webcrypto_jwk())
    assert status == 201, body


async def test_malformed_enrolment_bodies_are_refused_and_change_nothing(county: County) -> None:
    client = county.office.client
    keys_before = len(client.app[TRUST].store)
    for data, content_type in [
        (b"{not json", "application/json"),
        (b'["code"]', "application/json"),
        (b'{"jwk": {}}', "application/json"),
        (b'{"code": 5, "jwk": {}}', "application/json"),
    ]:
        response = await client.post(
            "/v1/enrolments", data=data, headers={"Content-Type": content_type}
        )
        assert (response.status, slug(await response.json())) == (400, "enrolment-request-invalid")
    response = await client.post(
        "/v1/enrolments", data=b"code=1", headers={"Content-Type": "text/plain"}
    )
    assert (response.status, slug(await response.json())) == (415, "unsupported-media-type")
    big = b"{" + b" " * 9000 + b"}"
    response = await client.post(
        "/v1/enrolments", data=big, headers={"Content-Type": "application/json"}
    )
    assert (response.status, slug(await response.json())) == (413, "body-too-large")
    assert len(client.app[TRUST].store) == keys_before


async def test_guessing_is_cut_off_after_ten_wrong_codes(county: County) -> None:
    status, issued = await county.request_code("county-x", village=A)
    assert status == 201
    for attempt in range(10):
        status, body = await county.enrol(f"0000-0000-{attempt:04d}", Phone().webcrypto_jwk())
        assert (status, slug(body)) == (403, "enrolment-code-invalid")
    response = await county.office.client.post(
        "/v1/enrolments", json={"code": issued["code"], "jwk": Phone().webcrypto_jwk()}
    )
    assert (response.status, slug(await response.json())) == (429, "enrolment-rate-limited")
    assert 1 <= int(response.headers["Retry-After"]) <= 600
    # The right code was not looked at: it is still unused.
    store = county.office.client.app[TRUST].store
    assert not any(entry.sender == issued["sender"] for entry in store)
    registry = county.office.client.app[METRICS].registry
    counted = {
        outcome: registry.get_sample_value("certhub_enrolments_total", {"outcome": outcome})
        for outcome in ("code_issued", "code_invalid", "rate_limited", "enrolled")
    }
    assert counted == {"code_issued": 1, "code_invalid": 10, "rate_limited": 1, "enrolled": None}


async def test_only_a_county_reviewer_of_the_village_issues_codes(county: County) -> None:
    status, body = await county.request_code("town-x", village=A)
    assert (status, slug(body)) == (403, "area-not-permitted")
    status, body = await county.request_code("county-x", village=D)  # 福田区, not 440103
    assert (status, slug(body)) == (403, "area-not-permitted")
    status, body = await county.request_code("county-all", village=D)  # province-wide
    assert status == 201, body
    status, body = await county.request_code("county-1", village=A)  # may not send the type
    assert (status, slug(body)) == (403, "type-not-allowed")
    wrongs: list[dict[str, Any]] = [
        {"village": A[:11]},
        {"village": A, "hours": 73},
        {"village": A, "hours": 0},
        {"village": A, "role": "county_reviewer"},
        {"village": A, "extra": 1},
    ]
    for wrong in wrongs:
        status, body = await county.request_code("county-x", **wrong)
        assert (status, slug(body)) == (400, "enrolment-request-invalid"), wrong
        assert body["errors"], body


async def test_a_signed_code_request_is_answered_once(county: County) -> None:
    office = county.office
    signed = office.sign("county-x", {"type": "enrolment_code_request/v1", "village": A})
    first = await office.client.post(
        "/v1/enrolment-codes", data=signed, headers={"Content-Type": "application/jose"}
    )
    assert first.status == 201
    again = await office.client.post(
        "/v1/enrolment-codes", data=signed, headers={"Content-Type": "application/jose"}
    )
    assert (again.status, slug(await again.json())) == (409, "replay")
    entries = await office.client.app[STORE].audit_entries(0, 1000)
    issued = [e for e in entries if e.action == "enrolment_code_issued"]
    assert [(e.subject, e.actor) for e in issued] == [((await first.json())["code_id"], "county-x")]


async def test_a_lost_phone_is_revoked_by_the_county_and_refused_at_once(county: County) -> None:
    phone = await county.enrolled_phone(A)
    kid = phone.enrolled["kid"]
    status, body = await county.office.get("/v1/enrolments", "county-x")
    assert [(i["kid"], i["revoked"]) for i in body["items"] if i["kid"] == kid] == [(kid, False)]
    revocation = {"type": "key_revocation/v1", "kid": kid, "reason": "手机丢失"}
    status, body = await county.office.post("/v1/enrolments/revocations", "county-x", revocation)
    assert status == 200, body
    assert body == {"kid": kid, "sender": phone.enrolled["sender"], "revoked": True}
    status, refused = await county.push(phone, county.report(phone, A))
    assert (status, slug(refused)) == (401, "key-revoked")
    response = await county.office.client.get("/v1/reports", headers=phone.bearer())
    assert (response.status, slug(await response.json())) == (401, "token-key-revoked")
    status, body = await county.office.get("/v1/enrolments", "county-x")
    assert [i["revoked"] for i in body["items"] if i["kid"] == kid] == [True]
    audit = await county.office.client.app[STORE].audit_entries(0, 1000)
    assert [(e.action, e.subject, e.actor) for e in audit if e.action == "key_revoked"] == [
        ("key_revoked", kid, "county-x")
    ]


async def test_staff_revoke_only_enrolled_keys_in_their_area(county: County) -> None:
    status, issued = await county.request_code("county-all", village=D)
    far = Phone()
    status, far.enrolled = await county.enrol(issued["code"], far.webcrypto_jwk())
    assert status == 201
    city_kid = county.office.keys["city"].kid
    for kid in (far.enrolled["kid"], city_kid, "no-such-kid"):
        revocation = {"type": "key_revocation/v1", "kid": kid}
        path = "/v1/enrolments/revocations"
        status, body = await county.office.post(path, "county-x", revocation)
        assert (status, slug(body)) == (404, "not-found"), kid
    revocation = {"type": "key_revocation/v1", "kid": far.enrolled["kid"]}
    status, body = await county.office.post("/v1/enrolments/revocations", "town-x", revocation)
    assert (status, slug(body)) == (403, "area-not-permitted")
    status, body = await county.office.post("/v1/enrolments/revocations", "county-all", revocation)
    assert status == 200, body
    city = county.office.client.app[TRUST].store.get(city_kid)
    assert city is not None
    assert not city.revoked


async def test_an_enrolment_sent_in_pieces_is_read_to_its_end(county: County) -> None:
    status, issued = await county.request_code("county-x", village=A)
    assert status == 201
    body = json.dumps({"code": issued["code"], "jwk": Phone().webcrypto_jwk()}).encode()

    async def pieces() -> AsyncIterator[bytes]:  # a weak connection: 7 bytes at a time
        for start in range(0, len(body), 7):
            yield body[start : start + 7]
            await asyncio.sleep(0.001)

    response = await county.office.client.post(
        "/v1/enrolments", data=pieces(), headers={"Content-Type": "application/json"}
    )
    assert response.status == 201, await response.text()


async def test_a_p256_key_enrols_where_a_browser_lacks_ed25519(county: County) -> None:
    status, issued = await county.request_code("county-x", village=A)
    assert status == 201
    phone = Phone(key=SigningKey.generate("ES256"))
    status, enrolled = await county.enrol(issued["code"], phone.webcrypto_jwk())
    assert status == 201, enrolled
    assert enrolled["kid"] == jwk_thumbprint(phone.key.public_jwk())
    phone.enrolled = enrolled
    status, receipt = await county.push(phone, county.report(phone, A))
    assert status == 202, receipt
    response = await county.office.client.get("/v1/reports", headers=phone.bearer())
    assert [i["sequence"] for i in (await response.json())["items"]] == [receipt["sequence"]]


async def test_a_key_already_trusted_tells_nothing_of_the_code_it_comes_with(
    county: County,
) -> None:
    """A guesser holding a trusted key (its own enrolled phone's, say) must not learn that a
    code is live without using it up and without the guess being counted: the key is refused
    before any code is looked at, with one answer for a live code and a wrong one."""
    status, issued = await county.request_code("county-x", village=A)
    assert status == 201, issued
    trusted = county.office.keys["city"].public_jwk()
    answers = [await county.enrol(code, trusted) for code in (issued["code"], "0000-0000-0000")]
    assert {(status, slug(body), body["detail"]) for status, body in answers} == {
        (400, "enrolment-key-invalid", "this key is already trusted")
    }
    status, body = await county.enrol(issued["code"], Phone().webcrypto_jwk())
    assert status == 201, body
