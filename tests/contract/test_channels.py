"""The four self-service channels: their shapes translated, HMAC checked, replays refused."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from certhub.adapters import create_adapter
from certhub.adapters.channels import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ChannelWebhookAdapter,
    sign_callback,
)
from certhub.adapters.errors import RequestRejected, SignatureRejected
from certhub.mocks.channels import CHANNELS, ChannelCallbacks
from certhub.schemas import CertificationMethod, CertificationOutcome, ChannelKind

from .support import options

KINDS = {
    "gdrs_app": ChannelKind.app_gdrs,
    "yueshengshi": ChannelKind.yueshengshi,
    "yuezhizhu": ChannelKind.yuezhizhu_kiosk,
    "ss_terminal": ChannelKind.ss_terminal,
}


def _adapter(channel: ChannelCallbacks, tmp_path: Path) -> ChannelWebhookAdapter:
    secret = tmp_path / f"{channel.channel}.secret"
    secret.write_bytes(channel.secret)
    adapter = create_adapter(channel.channel, {"secret_path": str(secret)}, options())
    assert isinstance(adapter, ChannelWebhookAdapter)
    return adapter


@pytest.mark.parametrize("name", CHANNELS)
async def test_each_channel_shape_becomes_a_certification_event(name: str, tmp_path: Path) -> None:
    channel = ChannelCallbacks(name)
    adapter = _adapter(channel, tmp_path)
    for certified in (True, False):
        native = channel.callback(certified=certified)
        body, headers = channel.signed(native)
        [item] = (await adapter.translate(body, headers, {})).items
        event = item.message
        person = json.dumps(native, ensure_ascii=False)
        assert event.person.id_number in person
        assert event.person.name in person
        assert event.channel.kind is KINDS[name]
        assert event.method in {CertificationMethod.face, CertificationMethod.fingerprint}
        expected = CertificationOutcome.certified if certified else CertificationOutcome.failed
        assert event.outcome is expected
        assert item.message_id.startswith(f"{name}.")
        assert abs(time.time() - event.occurred_at.timestamp()) < 600


async def test_a_replayed_callback_is_refused(tmp_path: Path) -> None:
    channel = ChannelCallbacks("yuezhizhu")
    adapter = _adapter(channel, tmp_path)
    body, headers = channel.signed(channel.callback())
    await adapter.translate(body, headers, {})
    with pytest.raises(RequestRejected) as replay:
        await adapter.translate(body, headers, {})
    assert replay.value.status == 409


@pytest.mark.parametrize("problem", ["tampered", "other_secret", "stale", "no_nonce"])
async def test_unauthenticated_callbacks_are_refused(tmp_path: Path, problem: str) -> None:
    channel = ChannelCallbacks("gdrs_app")
    adapter = _adapter(channel, tmp_path)
    native = channel.callback()
    body, headers = channel.signed(
        native, timestamp=int(time.time()) - 3600 if problem == "stale" else None
    )
    if problem == "tampered":
        body = body.replace(b"PASS", b"FAIL")
    if problem == "other_secret":
        body, headers = ChannelCallbacks("gdrs_app").signed(native)
    if problem == "no_nonce":
        del headers["X-Channel-Nonce"]
    with pytest.raises(SignatureRejected):
        await adapter.translate(body, headers, {})


async def test_an_untranslatable_callback_is_an_item_error(tmp_path: Path) -> None:
    channel = ChannelCallbacks("ss_terminal")
    adapter = _adapter(channel, tmp_path)
    body, headers = channel.signed(channel.callback() | {"bioType": 7})
    batch = await adapter.translate(body, headers, {})
    assert not batch.items
    assert batch.errors[0].column == "bioType"
    body, headers = channel.signed(channel.callback())
    with pytest.raises(RequestRejected) as media:
        await adapter.translate(body, headers | {"Content-Type": "text/plain"}, {})
    assert media.value.status == 415


async def test_a_cert_time_in_seconds_is_refused_naming_the_field(tmp_path: Path) -> None:
    channel = ChannelCallbacks("gdrs_app")
    adapter = _adapter(channel, tmp_path)
    native = channel.callback()
    millis = native["certTime"]
    for wrong, reason in [
        (millis // 1000, "not seconds"),  # read as ms this was 1970-01-21
        (str(millis), "must be an integer"),
        (float(millis), "must be an integer"),
        (True, "must be an integer"),
    ]:
        body, headers = channel.signed(native | {"certTime": wrong})
        batch = await adapter.translate(body, headers, {})
        assert not batch.items, wrong
        assert (batch.errors[0].column, reason in batch.errors[0].reason) == ("certTime", True)
    body, headers = channel.signed(native)
    [item] = (await adapter.translate(body, headers, {})).items
    assert item.message.occurred_at.timestamp() * 1000 == millis


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        ("gdrs_app", "certTime", 1_230_739_199_000),  # 2008-12-31 23:59:59 CST: before the scheme
        ("yuezhizhu", "time", "2008-12-31 23:59:59"),
        ("ss_terminal", "timestamp", "19700121000000"),
        ("yueshengshi", "finishedAt", "2099-01-01T00:00:00+08:00"),  # the future
    ],
)
async def test_implausible_times_are_refused_by_the_schema(
    tmp_path: Path, name: str, field: str, value: object
) -> None:
    channel = ChannelCallbacks(name)
    adapter = _adapter(channel, tmp_path)
    body, headers = channel.signed(channel.callback() | {field: value})
    batch = await adapter.translate(body, headers, {})
    assert not batch.items
    assert batch.errors[0].column == "time"


async def test_a_callback_with_a_member_twice_is_refused(tmp_path: Path) -> None:
    channel = ChannelCallbacks("gdrs_app")
    adapter = _adapter(channel, tmp_path)
    text = json.dumps(channel.callback(certified=True), ensure_ascii=False)
    body = (text[:-1] + ', "result": "FAIL"}').encode()  # PASS first, FAIL last
    stamp, nonce = int(time.time()), "n" * 24
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(stamp),
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: sign_callback(channel.secret, stamp, nonce, body),
    }
    with pytest.raises(RequestRejected, match="duplicate JSON member 'result'") as refused:
        await adapter.translate(body, headers, {})
    assert refused.value.status == 400
