"""A photo uploaded over a signal so weak that the hub stops waiting for it.

The hub answers a body not received within ``CERTHUB_HTTP_BODY_TIMEOUT_SECONDS`` with
``408 body-timeout`` (网络太慢，上报没有传完，请到信号好的地方再试). It is the network's
passing trouble, like no signal: the report stays queued and goes when the signal is better.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from entrancekit import CODE_REQUEST, county_may_also_send, enrolled, flushed, sign_report
from livehub import LiveHub
from PIL import Image
from playwright.sync_api import Page, Response, expect

from certhub.mocks.population import Population

VILLAGE = {"county": "440825", "village": "440825028236"}
SLOW = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 8_000}
FAST = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


@pytest.fixture
def hub(live_hub_factory: Callable[..., LiveHub]) -> LiveHub:
    """A hub that waits 1 s for a request body."""
    return live_hub_factory(
        trusting=county_may_also_send(CODE_REQUEST), http_body_timeout_seconds=1.0
    )


def test_a_photo_the_hub_stopped_waiting_for_is_sent_again(
    hub: LiveHub, phone_page: Page, tmp_path: Path
) -> None:
    """Before, the 408 refused the report for good: 被中心退回 with 网络太慢…请到信号好的
    地方再试, yet nothing tried again, and the card offered only 删除这份: the coordinator
    had to report the death again from the start."""
    page = phone_page
    person = Population(seed=31).person() | {"region": VILLAGE}
    enrolled(page, hub, VILLAGE["village"])
    photo = tmp_path / "certificate.jpg"
    Image.effect_noise((640, 480), 90).convert("RGB").save(photo, "JPEG", quality=95)
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send("Network.emulateNetworkConditions", SLOW)
    uploads: list[int] = []

    def answered(response: Response) -> None:
        if response.url.endswith("/v1/evidence"):
            uploads.append(response.status)

    page.on("response", answered)
    card = sign_report(page, person, "死亡", photo)
    flushed(page)
    assert uploads == [408]  # body-timeout
    expect(card).to_contain_text("待发送")
    network.send("Network.emulateNetworkConditions", FAST)
    flushed(page)
    expect(card.locator(".receipt")).to_contain_text("台账第")
