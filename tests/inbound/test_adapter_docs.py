"""The inbound formats as written down beside their adapters, pushed through the hub.

Each example is read from the document (ZHAOQING.md, YUNFU.md, WEBHOOK.md) and signed
the way the document says — header built from the documented claims, HMAC over the
documented signing string — not with the mocks' helpers, so a document that leaves
something out fails here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docexamples import doc_examples
from hubkit import Hub

from certhub.security import SigningKey, TrustStore

ZHAOQING = doc_examples("adapters/local_reporting/ZHAOQING.md")
YUNFU = doc_examples("adapters/local_reporting/YUNFU.md")
WEBHOOK = doc_examples("adapters/channels/WEBHOOK.md")
CHANNELS = ("gdrs_app", "yueshengshi", "yuezhizhu", "ss_terminal")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _documented_header(example: str, key: SigningKey) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(example)
    assert header["kid"] == "<the key's kid>"
    return header | {"kid": key.kid}


def _compact(header: dict[str, Any], payload: bytes, key: SigningKey) -> tuple[str, str, str]:
    head = _b64(json.dumps(header).encode())
    body = _b64(payload)
    return head, body, _b64(key.sign(f"{head}.{body}".encode()))


async def _documented_platform(
    inbound_hub_factory: Callable[..., Any], tmp_path: Path, adapter: str, header_example: str
) -> tuple[SigningKey, Hub]:
    """A new platform key, and a hub whose ``adapter`` trusts it for the sender and the type
    the documented header names."""
    header = json.loads(header_example)
    key = SigningKey.generate()
    path = tmp_path / f"{adapter}.jwks.json"
    sender, typ = header["iss"], header["typ"]
    TrustStore.empty().add(key.public_jwk(), sender=sender, may_send=[typ]).save(path)
    hub: Hub = await inbound_hub_factory({adapter: {"platform_keys_path": str(path)}})
    return key, hub


async def test_the_zhaoqing_example_file_is_accepted_row_by_row(
    inbound_hub_factory: Callable[..., Any], tmp_path: Path
) -> None:
    key, hub = await _documented_platform(
        inbound_hub_factory, tmp_path, "zhaoqing", ZHAOQING["zhaoqing-header"]
    )
    text = ZHAOQING["zhaoqing-upload"] + "\r\n"
    params = {"town": "441202101", "period": "2026-10"}
    answers = []
    for data in (text.encode("gbk"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        head, _, signature = _compact(
            _documented_header(ZHAOQING["zhaoqing-header"], key), data, key
        )
        response = await hub.client.post(
            "/v1/inbound/zhaoqing/uploads",
            data=data,
            params=params,
            headers={"Content-Type": "text/csv", "X-Zhaoqing-Signature": f"{head}..{signature}"},
        )
        answers.append((response.status, await response.json()))
    (status, first), (again_status, again) = answers
    assert status == 200, first
    assert (first["total"], first["accepted"], first["rejected"]) == (3, 3, 0), first
    assert [row["row"] for row in first["rows"]] == [2, 3, 4]
    # the same rows in the other encoding are the same records
    assert (again_status, again["duplicate"]) == (200, 3)
    _, page = await hub.pull("/v1/reports")
    assert [item["type"] for item in page["items"]] == [
        "eligibility_report/v1",
        "eligibility_report/v1",
        "zero_report/v1",
    ]
    assert page["items"][0]["payload"]["reporter"]["id"] == "zhaoqing:ZQ0101"


async def test_the_yunfu_examples_are_recorded_once(
    inbound_hub_factory: Callable[..., Any], tmp_path: Path
) -> None:
    key, hub = await _documented_platform(
        inbound_hub_factory, tmp_path, "yunfu", YUNFU["yunfu-header"]
    )
    recorded = []
    for number, name in enumerate(("yunfu-report", "yunfu-zero-report")):
        claims = _documented_header(YUNFU["yunfu-header"], key) | {"jti": f"yf-doc-{number}"}
        payload = json.dumps(json.loads(YUNFU[name]), ensure_ascii=False).encode()
        token = ".".join(_compact(claims, payload, key)).encode()
        for _ in range(2):  # the second push is a duplicate
            response = await hub.client.post(
                "/v1/inbound/yunfu/messages",
                data=token,
                headers={"Content-Type": "application/jose"},
            )
            assert response.status == 202, await response.text()
            recorded.append(await response.json())
    assert [(r["type"], r["duplicate"]) for r in recorded] == [
        ("eligibility_report/v1", False),
        ("eligibility_report/v1", True),
        ("zero_report/v1", False),
        ("zero_report/v1", True),
    ]
    assert recorded[0]["message_id"] == "yunfu.yf-doc-0"


def _signature_example() -> dict[str, str]:
    return dict(line.split(": ", 1) for line in WEBHOOK["webhook-signature"].splitlines())


def _hmac(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The documented signing string: timestamp LF nonce LF body."""
    signing = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
    return "sha256=" + hmac.new(secret.encode(), signing, hashlib.sha256).hexdigest()


def test_the_worked_signature_follows_the_documented_signing_string() -> None:
    worked = _signature_example()
    body = WEBHOOK["webhook-gdrs_app"].encode()
    assert (
        _hmac(worked["secret"], worked["timestamp"], worked["nonce"], body) == worked["signature"]
    )


async def test_every_channel_example_is_recorded_and_a_resend_is_a_duplicate(
    inbound_hub_factory: Callable[..., Any], tmp_path: Path
) -> None:
    secret = _signature_example()["secret"]
    settings = {}
    for channel in CHANNELS:
        path = tmp_path / f"{channel}.secret"
        path.write_text(secret + "\n", encoding="utf-8")
        settings[channel] = {"secret_path": str(path)}
    hub: Hub = await inbound_hub_factory(settings)
    for channel in CHANNELS:
        body = WEBHOOK[f"webhook-{channel}"].encode()
        answers = []
        for _ in range(2):
            stamp, nonce = str(int(time.time())), secrets.token_urlsafe(18)
            headers = {
                "Content-Type": "application/json",
                "X-Channel-Timestamp": stamp,
                "X-Channel-Nonce": nonce,
                "X-Channel-Signature": _hmac(secret, stamp, nonce, body),
            }
            response = await hub.client.post(
                f"/v1/inbound/{channel}/messages", data=body, headers=headers
            )
            answers.append((response.status, await response.json()))
        (status, first), (_, again) = answers
        assert status == 202, (channel, first)
        assert first["type"] == "certification_event/v1"
        assert (again["duplicate"], again["sequence"]) == (True, first["sequence"])
