"""The hub (or the gateway before it) failing for a moment while the coordinator reads.

A read answered ``503`` (the ledger's database unreachable), ``502``/``504`` (the gateway)
or ``429`` is passing trouble, like no signal: the phone has the village's list from the
last read, and the coordinator in the field needs it now.
"""

from __future__ import annotations

from typing import Any

import pytest
from entrancekit import enrolled_with_list
from livehub import LiveHub
from playwright.sync_api import Page, Route, expect

from certhub.hub.problems import ALL_PROBLEMS
from certhub.schemas import problem_type_uri

VILLAGE = {"county": "440825", "village": "440825028236"}


@pytest.fixture
def hub(village_hub: LiveHub) -> LiveHub:
    """The conftest's hub of a village that must report monthly."""
    return village_hub


def unavailable(route: Route) -> None:
    """The hub's own answer when its database cannot be reached."""
    status, title = ALL_PROBLEMS["store-unavailable"]
    problem: dict[str, Any] = {
        "type": problem_type_uri("store-unavailable"),
        "title": title,
        "status": status,
        "detail": "the ledger cannot be read right now; retry",
    }
    route.fulfill(status=status, content_type="application/problem+json", json=problem)


def test_a_read_the_hub_cannot_answer_now_shows_the_list_kept(
    hub: LiveHub, phone_page: Page
) -> None:
    """Before, the people screen showed only 中心暂时无法保存，稍后自动重试。 — the list the
    phone had was not shown (only no signal at all brought it out), nothing was being
    saved, and nothing retried the read."""
    page = phone_page
    person = enrolled_with_list(page, hub, VILLAGE, seed=17)

    page.route("**/v1/register/people?*", unavailable)
    page.get_by_role("link", name="首页").click()
    page.get_by_role("link", name="本村人员").click()
    expect(page.locator(".card", has_text=person["name"])).to_have_count(1)
    expect(page.get_by_text("显示上次取得的名单")).to_be_visible()

    page.route("**/v1/compliance?*", unavailable)  # never read before: nothing kept
    page.get_by_role("link", name="首页").click()
    page.get_by_role("link", name="本月零报告").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("中心")
    expect(alert).not_to_contain_text("保存")
    expect(alert).not_to_contain_text("自动")
