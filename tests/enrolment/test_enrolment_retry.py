"""A phone that never got the answer to its enrolment posts the same key and code again.

The hub bound the key and used the code up; the answer was lost on the way (a mobile
network dropping). The phone keeps its key pair until an answer arrives
(hub/web/entrance/enrol.js), so the second post is the very key with the very code:
it gets the same answer, and nothing new is trusted. Anything else still tells nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from enrolkit import A, County, Phone
from pgkit import deployment_settings

from certhub.hub.core.keys import METRICS, STORE, TRUST
from certhub.schemas import problem_type_uri


@pytest.fixture(params=["folder", "postgresql"], autouse=True)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Both enrolments: the data folder's files, and the deployment's database (autouse: set
    up before the hub's client, so it is dropped only after the hub has stopped)."""
    if request.param == "folder":
        yield {}
        return
    with deployment_settings(tmp_path, "certhub_enrol") as settings:
        yield settings


@pytest.fixture
def county_settings(backend: dict[str, Any]) -> dict[str, Any]:
    """The hub's settings for :func:`backend`."""
    return backend


async def test_the_same_key_with_the_code_that_bound_it_gets_the_same_answer(
    county: County,
) -> None:
    """Before, the second post was refused (400 enrolment-key-invalid: this key is already
    trusted): the phone could not learn its sender id, the coordinator went back to the
    county for another code, and the bound key stayed trusted for a year on no phone."""
    status, issued = await county.request_code("county-x", village=A)
    assert status == 201, issued
    phone = Phone()
    first = await county.enrol(issued["code"], phone.webcrypto_jwk())
    assert first[0] == 201, first
    again = await county.enrol(issued["code"], phone.webcrypto_jwk())
    assert again == first
    app = county.office.client.app
    kid = first[1]["kid"]
    assert [entry.kid for entry in app[TRUST].store if entry.sender == issued["sender"]] == [kid]
    # one enrolment, audited and counted once: the second answer tells of the first
    audit = await app[STORE].audit_entries(0, 1000)
    assert [e.subject for e in audit if e.action == "key_enrolled"] == [kid]
    counted = app[METRICS].registry.get_sample_value(
        "certhub_enrolments_total", {"outcome": "enrolled"}
    )
    assert counted == 1


async def test_a_bound_key_with_another_code_or_once_revoked_is_still_refused(
    county: County,
) -> None:
    status, issued = await county.request_code("county-x", village=A)
    assert status == 201, issued
    phone = Phone()
    status, phone.enrolled = await county.enrol(issued["code"], phone.webcrypto_jwk())
    assert status == 201
    status, other = await county.request_code("county-x", village=A)
    assert status == 201, other
    refused = await county.enrol(other["code"], phone.webcrypto_jwk())
    assert (refused[0], refused[1]["type"]) == (400, problem_type_uri("enrolment-key-invalid"))
    assert (await county.enrol(other["code"], Phone().webcrypto_jwk()))[0] == 201  # still live

    revocation = {"type": "key_revocation/v1", "kid": phone.enrolled["kid"], "reason": "手机丢失"}
    status, body = await county.office.post("/v1/enrolments/revocations", "county-x", revocation)
    assert status == 200, body
    refused = await county.enrol(issued["code"], phone.webcrypto_jwk())
    assert (refused[0], refused[1]["type"]) == (400, problem_type_uri("enrolment-key-invalid"))
