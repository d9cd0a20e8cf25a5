"""A phone whose clock is behind: cheap phones lose the time with a flat battery and get it
back only from a network that gives it.

The entrance corrects its clock by the hub's ``Date`` header (README); a read token made
by a clock 10 minutes behind has expired when it arrives (tokens live 5 minutes).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from entrancekit import enrolled, flushed, sign_report
from livehub import LiveHub
from PIL import Image
from playwright.sync_api import Page, expect
from procedurekit import roster_entry

from certhub.mocks.population import Population


@pytest.fixture
def hub(village_hub: LiveHub) -> LiveHub:
    """The conftest's hub of a village that must report monthly."""
    return village_hub


def test_a_phone_clock_behind_reads_the_list_at_once(hub: LiveHub, phone_page: Page) -> None:
    """Before, the first read after opening the page was refused token-expired, which the
    entrance did not try again with the corrected clock (only invalid-token, a clock ahead):
    本机时间不准，请校正手机时间后再试。 on 本村人员, every time the page was opened."""
    page = phone_page
    region = {"county": "440825", "village": "440825028236"}
    person = Population(seed=23).person() | {"region": region}
    assert hub.push("/v1/roster", "province", roster_entry(person)).status_code == 202
    enrolled(page, hub, region["village"])
    page.clock.install(time=datetime.now() - timedelta(minutes=10))
    page.goto(f"{hub.url}/app/#/people")  # opened again: no answer has corrected the clock
    expect(page.locator(".card", has_text=person["name"])).to_have_count(1)
    expect(page.get_by_role("alert")).to_have_count(0)


def test_a_photo_from_a_phone_clock_behind_is_uploaded_and_its_report_sent(
    hub: LiveHub, phone_page: Page, tmp_path: Path
) -> None:
    """Before, a report with a photo, queued without signal and sent when the page was
    next opened, was refused for good: its upload's token had expired on arrival
    (token-expired is no passing trouble) and the card said 被中心退回 / 本机时间不准.
    A clock ahead did the same through invalid-token. The report itself was re-signed on
    clock-skew; its photo was not."""
    page = phone_page
    region = {"county": "440825", "village": "440825028236"}
    person = Population(seed=29).person() | {"region": region}
    enrolled(page, hub, region["village"])
    photo = tmp_path / "certificate.jpg"
    Image.new("RGB", (800, 600), "white").save(photo, "JPEG")
    page.context.set_offline(True)
    card = sign_report(page, person, "死亡", photo)
    expect(card).to_contain_text("待发送")

    page.clock.install(time=datetime.now() - timedelta(minutes=10))
    page.context.set_offline(False)
    page.goto(f"{hub.url}/app/#/mine")  # opened again: no answer has corrected the clock
    flushed(page)
    expect(card.locator(".receipt")).to_contain_text("台账第")
    (item,) = hub.read("/v1/reports")["items"]
    assert len(item["payload"]["evidence"]) == 1
