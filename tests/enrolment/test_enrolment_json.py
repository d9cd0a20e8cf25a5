"""The one anonymous write's JSON is read as strictly as a signed message's.

``POST /v1/enrolments`` takes a small JSON object from anyone. Nested past any
real JWK it is a refusal, not the parser's ``RecursionError`` answered 500; a
member named twice or a non-standard constant is ambiguous (parsers disagree on
which ``code`` counts) and refused too. Nothing is enrolled and the code stays
usable.
"""

from __future__ import annotations

import json

import pytest
from enrolkit import A, County, Phone

from certhub.hub.core.keys import TRUST

PROBLEM = "urn:certhub:problem:"


def _bodies(code: str, jwk: dict[str, str]) -> dict[str, bytes]:
    good = json.dumps(jwk).encode()
    return {
        "deep array": b"[" * 2000 + b"]" * 2000,
        "deep jwk": b'{"code": "%s", "jwk": %s}' % (code.encode(), b"[" * 2000 + b"]" * 2000),
        # the code only in the member a last-wins parser keeps
        "code twice": b'{"code": "0000-0000-0000", "code": "%s", "jwk": %s}'
        % (code.encode(), good),
        "NaN": b'{"code": "%s", "jwk": %s, "n": NaN}' % (code.encode(), good),
    }


@pytest.mark.parametrize("case", ["deep array", "deep jwk", "code twice", "NaN"])
async def test_hostile_json_is_refused_and_the_code_still_enrols(county: County, case: str) -> None:
    status, issued = await county.request_code("county-x", village=A)
    assert status == 201, issued
    client = county.office.client
    keys_before = len(client.app[TRUST].store)
    phone = Phone()
    response = await client.post(
        "/v1/enrolments",
        data=_bodies(issued["code"], phone.webcrypto_jwk())[case],
        headers={"Content-Type": "application/json"},
    )
    body = await response.json(content_type=None)
    assert (response.status, body["type"]) == (400, PROBLEM + "enrolment-request-invalid"), body
    assert len(client.app[TRUST].store) == keys_before
    status, enrolled = await county.enrol(issued["code"], phone.webcrypto_jwk())
    assert status == 201, enrolled
