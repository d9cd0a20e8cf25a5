"""A report past the phone's hourly bound stays on the phone and goes out later.

The hub answers a coordinator key's report past CERTHUB_COORDINATOR_REPORTS_PER_HOUR
with 429 reports-rate-limited (hub/api/report_bound.py). The phone must not lose it:
the entrance keeps it queued (待发送) and sends it once the hour has passed: not
before the Retry-After the hub answered (it tried every 30 seconds, 120 refusals an
hour), which the card tells in words. Here the bound is 1; the hub's hour passes by
moving the first report back in its ledger (the hub's clock is the system's), the
phone's by jumping its clock (Playwright's ``page.clock``) forward.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from entrancekit import (
    CODE_REQUEST,
    county_may_also_send,
    enrolled,
    flushed,
    pushes_of,
    report_missing,
)
from livehub import LiveHub
from playwright.sync_api import Page, expect
from procedurekit import roster_entry

from certhub.mocks.population import Population

VILLAGE = {"county": "440825", "village": "440825028236"}


@pytest.fixture
def hub(live_hub_factory: Callable[..., LiveHub]) -> LiveHub:
    """A hub whose county reviewer issues codes and whose phones file one report an hour."""
    return live_hub_factory(
        trusting=county_may_also_send(CODE_REQUEST), coordinator_reports_per_hour=1
    )


def test_a_report_refused_with_429_is_kept_on_the_phone_and_sent_after_the_hour(
    hub: LiveHub, phone_page: Page, screenshot: Callable[[Page, str], Path]
) -> None:
    page = phone_page
    page.clock.install()  # runs as the real clock until the test jumps it
    population = Population(seed=28236)
    first, second = (population.person() | {"region": VILLAGE} for _ in range(2))
    for person in (first, second):
        assert hub.push("/v1/roster", "province", roster_entry(person)).status_code == 202
    enrolled(page, hub, VILLAGE["village"])

    card, status = report_missing(page, first)
    assert status == 202
    expect(card.locator(".receipt")).to_contain_text("中心签名已核验")
    card, status = report_missing(page, second)
    assert status == 429
    expect(card).to_contain_text("待发送")  # queued, not refused: nothing to re-type
    # Retry-After: the hour of the first report, less the seconds since.
    expect(card.locator(".note-wait")).to_have_text(
        re.compile(r"^本机一小时内上报太多，约 1 小时后（\d\d:\d\d）自动重试。$")
    )
    screenshot(page, "app-report-bound-01-waiting")
    assert len(hub.read("/v1/reports")["items"]) == 1

    an_hour_ago = datetime.now(UTC) - timedelta(hours=1, seconds=1)
    with sqlite3.connect(hub.settings.ledger_path) as ledger:
        ledger.execute("UPDATE ledger SET received_at = ? WHERE kind = 'report'",
                       (an_hour_ago.isoformat(),))  # fmt: skip
    # The hub would take it now, but the phone was told to wait: neither the connection
    # coming back nor the 30-second retries send it before Retry-After.
    pushes = pushes_of(page)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.clock.fast_forward("58:00")
    flushed(page)
    assert pushes == []
    expect(card).to_contain_text("待发送")
    page.clock.fast_forward("03:00")  # past Retry-After: sent with no other nudge
    expect(card.locator(".receipt")).to_contain_text("中心签名已核验")
    assert len(pushes) == 1
    items = hub.read("/v1/reports")["items"]
    assert [item["payload"]["person"]["id_number"] for item in items] == [
        first["id_number"],
        second["id_number"],
    ]
