"""A report past the phone's hourly bound stays on the phone and goes out later.

The hub answers a coordinator key's report past CERTHUB_COORDINATOR_REPORTS_PER_HOUR
with 429 reports-rate-limited (hub/api/report_bound.py). The phone must not lose it:
the entrance keeps it queued (待发送) and sends it once the hour has passed. Here the
bound is 1, and the hour passes by moving the first report back in the hub's ledger
(the hub's clock is the system's).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from entrancekit import CODE_REQUEST, county_may_also_send, enrolled
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


def report_missing(page: Page, person: dict[str, Any]) -> tuple[Any, int]:
    """Fill and sign the report form for ``person`` (missing): the report's card, and the
    status the hub answered its push with."""
    page.get_by_role("link", name="上报", exact=True).click()
    page.get_by_label("姓名").fill(person["name"])
    page.get_by_label("身份证号").fill(person["id_number"])
    page.locator("label.choice", has_text="失踪").click()
    with page.expect_response(lambda r: r.url.endswith("/v1/reports")) as pushed:
        page.get_by_role("button", name="签名并上报").click()
    card = page.locator(".card", has_text=person["name"])
    return card, pushed.value.status


def test_a_report_refused_with_429_is_kept_on_the_phone_and_sent_after_the_hour(
    hub: LiveHub, phone_page: Page
) -> None:
    page = phone_page
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
    assert len(hub.read("/v1/reports")["items"]) == 1

    an_hour_ago = datetime.now(UTC) - timedelta(hours=1, seconds=1)
    with sqlite3.connect(hub.settings.ledger_path) as ledger:
        ledger.execute("UPDATE ledger SET received_at = ? WHERE kind = 'report'",
                       (an_hour_ago.isoformat(),))  # fmt: skip
    page.evaluate("window.dispatchEvent(new Event('online'))")  # what brings a flush
    expect(card.locator(".receipt")).to_contain_text("中心签名已核验")
    items = hub.read("/v1/reports")["items"]
    assert [item["payload"]["person"]["id_number"] for item in items] == [
        first["id_number"],
        second["id_number"],
    ]
