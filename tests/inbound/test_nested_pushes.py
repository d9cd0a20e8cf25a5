"""A native push nested past any real record is 400 malformed-message, not a 500."""

from __future__ import annotations

import hashlib
import hmac
import time

from hubkit import Hub
from inboundkit import Departments

from certhub.security import sign_compact

DEEP = b"[" * 5_000 + b"]" * 5_000  # Python's JSON decoder: RecursionError, not ValueError


async def test_a_yunfu_report_nested_deep_is_malformed_and_stores_nothing(
    hub: Hub, departments: Departments
) -> None:
    yunfu = departments.yunfu
    token = sign_compact(
        b'{"\xe6\x8a\xa5\xe5\x91\x8a\xe7\xb1\xbb\xe5\x9e\x8b": ' + DEEP + b"}",
        key=yunfu.key, typ=yunfu.message_type, sender=yunfu.sender,
    )  # fmt: skip
    response = await hub.client.post(
        "/v1/inbound/yunfu/messages", data=token, headers={"Content-Type": "application/jose"}
    )
    body = await response.json(content_type=None)
    assert (response.status, body["type"]) == (400, "urn:certhub:problem:malformed-message")
    assert await hub.stored() == 0


async def test_a_channel_callback_nested_deep_is_malformed_and_stores_nothing(
    hub: Hub, departments: Departments
) -> None:
    name, channel = next(iter(departments.channels.items()))
    body, stamp, nonce = b'{"event": ' + DEEP + b"}", int(time.time()), "n" * 24
    mac = hmac.new(channel.secret, f"{stamp}\n{nonce}\n".encode() + body, hashlib.sha256)
    headers = {
        "Content-Type": "application/json",
        "X-Channel-Timestamp": str(stamp),
        "X-Channel-Nonce": nonce,
        "X-Channel-Signature": "sha256=" + mac.hexdigest(),
    }
    response = await hub.client.post(f"/v1/inbound/{name}/messages", data=body, headers=headers)
    answer = await response.json(content_type=None)
    assert (response.status, answer["type"]) == (400, "urn:certhub:problem:malformed-message")
    assert await hub.stored() == 0
