"""A read token's ``typ`` is a media type: ``JWT``, ``jwt`` and ``application/jwt`` are one.

RFC 7515 §4.1.9: media types are case-insensitive, and a recipient MUST read a ``typ``
without ``/`` as if ``application/`` were prepended. A poller's JWT library that writes
``application/jwt`` (or lower case) is the same token; a signed message (``typ`` its
schema type) is still no token.
"""

from __future__ import annotations

import time

import pytest
from hubkit import Hub

from certhub.security._compact import encode_compact
from certhub.security._encoding import json_dumps

PROBLEM = "urn:certhub:problem:"


def _token(hub: Hub, typ: str) -> str:
    key = hub.keys["province"]
    now = int(time.time())
    claims = {"iss": "province", "sub": "province", "aud": "certhub", "iat": now,
              "exp": now + 300, "jti": f"t-{typ}", "scope": "read"}  # fmt: skip
    header = {"alg": key.alg, "kid": key.kid, "typ": typ}
    return encode_compact(header, json_dumps(claims), key).decode("ascii")


async def _pull_status(hub: Hub, typ: str) -> tuple[int, str | None]:
    headers = {"Authorization": f"Bearer {_token(hub, typ)}"}
    response = await hub.client.get("/v1/reports", headers=headers)
    body = await response.json(content_type=None)
    return response.status, body.get("type")


@pytest.mark.parametrize("typ", ["JWT", "jwt", "application/jwt", "Application/JWT"])
async def test_every_spelling_of_the_jwt_media_type_reads(hub: Hub, typ: str) -> None:
    assert (await _pull_status(hub, typ))[0] == 200


@pytest.mark.parametrize("typ", ["eligibility_report/v1", "JOSE", "application/jwt+x", "text/jwt"])
async def test_any_other_typ_is_no_read_token(hub: Hub, typ: str) -> None:
    assert await _pull_status(hub, typ) == (401, PROBLEM + "invalid-token")
