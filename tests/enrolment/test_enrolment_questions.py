"""How coordinators' phones enrol that the province has not decided (strict xfail)."""

from __future__ import annotations

import pytest
from enrolkit import A, County, Phone

from certhub.schemas import problem_type_uri


@pytest.mark.xfail(strict=True, reason="decision wanted: whose address the enrolment bound counts")
async def test_ten_typos_behind_one_address_lock_out_the_next_coordinator(county: County) -> None:
    """Phones reach the hub through the TLS proxy in front of it (the deployment binds the
    hub to 127.0.0.1), or through one township office's Wi-Fi: the hub sees one client
    address for all of them. Ten coordinators each mistyping their code once within 10
    minutes (a rollout morning) make the eleventh's right code 429
    enrolment-rate-limited - province-wide if it is the proxy's address - and 100 wrong
    codes from anyone (one script, a minute) hold every enrolment back the same way. A
    phone that cannot enrol reports no death. Question: should the hub read the client
    from a trusted proxy's X-Forwarded-For (proposed: a CERTHUB_TRUSTED_PROXIES setting;
    this test sends the header as that proxy would), and should the overall bound hold
    a right code back, or only slow the wrong ones?"""
    status, issued = await county.request_code("county-x", village=A)
    assert status == 201, issued
    for phone in range(10):
        response = await county.office.client.post(
            "/v1/enrolments",
            json={"code": f"0000-0000-{phone:04d}", "jwk": Phone().webcrypto_jwk()},
            headers={"X-Forwarded-For": f"10.20.0.{phone + 1}"},
        )
        body = await response.json()
        assert (response.status, body["type"]) == (
            403,
            problem_type_uri("enrolment-code-invalid"),
        )
    response = await county.office.client.post(
        "/v1/enrolments",
        json={"code": issued["code"], "jwk": Phone().webcrypto_jwk()},
        headers={"X-Forwarded-For": "10.20.0.99"},
    )
    assert response.status == 201, await response.text()
