"""The reminders and escalations the hub signed, as the provincial system pulls them."""

from __future__ import annotations

import json
from typing import Any

from procedurekit import Office

from certhub.security import VerifyingKey, parse_compact


async def signed_records(office: Office, message_type: str) -> list[dict[str, Any]]:
    """The payloads of ``message_type`` records pulled from ``/v1/outcomes``, oldest first,
    each verified against the hub's published keys."""
    _, page = await office.get("/v1/outcomes", limit="1000")
    jwks = await (await office.client.get("/.well-known/jwks.json")).json()
    keys = {jwk["kid"]: VerifyingKey.from_jwk(jwk) for jwk in jwks["keys"]}
    found = []
    for item in page["items"]:
        if item["type"] == message_type:
            jws = parse_compact(item["jws"].encode())
            assert keys[jws.kid].verify(jws.signature, jws.signing_input)
            found.append(json.loads(jws.payload))
    return found
