"""The hub's signature helper process, seen through the HTTP API.

Signatures are checked and receipts signed in a helper process; the answers
a sender gets must not depend on whether the helper is there, busy, dead or
switched off.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from hubkit import Hub

from certhub.hub.core.keys import METRICS, SIGNATURES
from certhub.hub.runtime import app as app_module
from certhub.security import SignatureHelper, offload, verify_receipt

PROBLEM = "urn:certhub:problem:"


def helper_of(hub: Hub) -> SignatureHelper:
    """The running app's signature helper."""
    helper: SignatureHelper | None = hub.client.server.app[SIGNATURES]
    assert helper is not None
    return helper


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait until ``condition`` holds (the helper has no event to await), at most ``within`` s."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - polling a state with no event behind it
            await asyncio.sleep(0.01)


async def push_and_verify(hub: Hub, count: int) -> None:
    """Push ``count`` reports at once and a tampered one; check every answer."""
    tokens = [hub.sign(hub.report()) for _ in range(count)]
    results = await asyncio.gather(*(hub.push(token) for token in tokens))
    jwks = await (await hub.client.get("/.well-known/jwks.json")).json()
    for status, body in results:
        assert status == 202, body
        assert verify_receipt(body["receipt"], jwks)["ledger_sequence"] == body["sequence"]
    status, body = await hub.push(tampered(hub.sign(hub.report())))
    assert status == 401, body
    assert body["type"] == PROBLEM + "signature-invalid"


def tampered(token: bytes) -> bytes:
    """``token`` with one base64url character in the middle of its payload changed."""
    header, payload, signature = token.split(b".")
    middle = len(payload) // 2
    changed = b"B" if payload[middle : middle + 1] == b"A" else b"A"
    return b".".join((header, payload[:middle] + changed + payload[middle + 1 :], signature))


@pytest.fixture
async def hub(hub_factory: Callable[..., Any]) -> Hub:
    """A hub whose helper starts with it (not on demand)."""
    started: Hub = await hub_factory(signature_helper_from=0)
    return started


async def test_a_burst_is_checked_and_receipted_through_the_helper(hub: Hub) -> None:
    assert helper_of(hub).running
    await push_and_verify(hub, 40)
    assert await hub.stored() == 40


async def test_the_hub_keeps_answering_when_the_helper_dies_and_restarts_it(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(offload, "RESTART_PAUSE", 0.5)
    helper = helper_of(hub)
    process = helper._process
    assert process is not None
    registry = hub.client.server.app[METRICS].registry
    assert registry.get_sample_value("certhub_signature_helper_up") == 1
    process.kill()
    await until(lambda: not helper.running)
    assert registry.get_sample_value("certhub_signature_helper_up") == 0
    await push_and_verify(hub, 10)  # checked on the event loop meanwhile
    await until(lambda: helper.running)
    assert helper._process is not process
    assert registry.get_sample_value("certhub_signature_helper_up") == 1
    await push_and_verify(hub, 10)
    assert await hub.stored() == 20


async def test_without_the_helper_the_answers_are_the_same(
    hub_factory: Callable[..., Any],
) -> None:
    hub: Hub = await hub_factory(signature_helper=False)
    assert hub.client.server.app[SIGNATURES] is None
    registry = hub.client.server.app[METRICS].registry
    assert registry.get_sample_value("certhub_signature_helper_up") is None  # no false alarm
    await push_and_verify(hub, 20)
    assert await hub.stored() == 20


async def test_on_one_cpu_the_hub_runs_no_helper(
    hub_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "_usable_cpus", lambda: 1)
    hub: Hub = await hub_factory()
    assert hub.client.server.app[SIGNATURES] is None
    await push_and_verify(hub, 5)


async def test_the_helper_starts_once_enough_signatures_were_asked_and_not_before(
    hub_factory: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    # each accepted push asks for two signatures: its check and its receipt
    hub: Hub = await hub_factory(signature_helper_from=20)
    helper = helper_of(hub)
    registry = hub.client.server.app[METRICS].registry
    assert not helper.running
    assert helper._process is None
    assert registry.get_sample_value("certhub_signature_helper_up") == 1  # not needed: not down
    await push_and_verify(hub, 4)  # 8 checks and signatures, and the tampered one's check
    await asyncio.sleep(0.2)
    assert helper._process is None
    assert helper.awaiting_demand
    with caplog.at_level("INFO", logger=offload.__name__):
        await push_and_verify(hub, 6)  # 21 asked in all: the process starts
        await until(lambda: helper.running)
    assert not helper.awaiting_demand
    assert registry.get_sample_value("certhub_signature_helper_up") == 1
    assert "signature helper process started" in caplog.text
    assert "restarted" not in caplog.text
    await push_and_verify(hub, 10)  # now through the helper, the same answers
    assert helper._answered_batches > 0
    assert await hub.stored() == 20
