"""A report refused with 429 waits on the phone until the HTTP date of Retry-After.

The hub's own Retry-After is seconds (tests/browser/test_report_bound.py); a proxy in
front of it may answer with a date instead, which the phone reads against that
answer's own Date (the phone's clock may be wrong). The page's clock is
Playwright's (``page.clock``): it runs as the real one until the test jumps it
forward, firing the timers due.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from entrancekit import (
    enrolled,
    flushed,
    pushes_of,
    report_missing,
)
from livehub import LiveHub
from playwright.sync_api import Page, Route, expect
from procedurekit import roster_entry

from certhub.hub.problems import ALL_PROBLEMS
from certhub.mocks.population import Population
from certhub.schemas import problem_type_uri

VILLAGE = {"county": "440825", "village": "440825028236"}


def test_a_report_refused_with_429_waits_until_the_http_date_of_retry_after(
    hub: LiveHub, phone_page: Page, screenshot: Callable[[Page, str], Path]
) -> None:
    page = phone_page
    page.clock.install()
    person = Population(seed=28236).person() | {"region": VILLAGE}
    assert hub.push("/v1/roster", "province", roster_entry(person)).status_code == 202
    enrolled(page, hub, VILLAGE["village"])
    # A proxy in front of the hub answers with a date, two hours after its own Date.
    answered = datetime.now(UTC)
    status, title = ALL_PROBLEMS["reports-rate-limited"]
    problem = {"type": problem_type_uri("reports-rate-limited"), "title": title, "status": status}

    def rate_limited(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        route.fulfill(
            status=429,
            json=problem,
            headers={
                "Retry-After": format_datetime(answered + timedelta(hours=2), usegmt=True),
                "Date": format_datetime(answered, usegmt=True),
            },
        )

    page.route("**/v1/reports", rate_limited)
    card, status = report_missing(page, person)
    assert status == 429
    expect(card.locator(".note-wait")).to_have_text(
        re.compile(r"^本机一小时内上报太多，约 2 小时后（\d\d:\d\d）自动重试。$")
    )
    screenshot(page, "app-retry-after-02-http-date")
    page.unroute("**/v1/reports")

    pushes = pushes_of(page)
    page.clock.fast_forward("01:59:00")
    flushed(page)
    assert pushes == []
    page.clock.fast_forward("02:00")
    expect(card.locator(".receipt")).to_contain_text("中心签名已核验")
    assert len(pushes) == 1
