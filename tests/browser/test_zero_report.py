"""A zero report the hub refused is shown with its refusal and can be filed again.

Before, the zero-report screen took any zero report of the month still on the phone,
refused ones too, for one waiting to be sent: the button stayed disabled with
零报告已签名，等待网络发送 until the coordinator found the refused one under 我的上报
and deleted it, and the month's deadline could pass unreported. Screenshots:
app-31-zero-refused, app-32-zero-filed-again.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from entrancekit import Shot, enrolled
from livehub import LiveHub
from playwright.sync_api import Page, Route, expect

from certhub.hub.problems import ALL_PROBLEMS
from certhub.schemas import problem_type_uri

VILLAGE = "440825028236"
SUBMIT = re.compile("提交零报告")


@pytest.fixture
def hub(village_hub: LiveHub) -> LiveHub:
    """The conftest's hub of a village that must report monthly."""
    return village_hub


def refuse_once(page: Page, slug: str) -> list[str]:
    """The next report the phone posts is refused with ``slug`` (at the transport, as the
    hub would answer); later ones reach the hub. Returns the refused bodies."""
    refused: list[str] = []

    def answer(route: Route) -> None:
        if route.request.method != "POST" or refused:
            route.continue_()
            return
        refused.append(route.request.post_data or "")
        status, title = ALL_PROBLEMS[slug]
        route.fulfill(
            status=status,
            content_type="application/problem+json",
            json={"type": problem_type_uri(slug), "title": title, "status": status},
        )

    page.route("**/v1/reports", answer)
    return refused


def test_a_refused_zero_report_shows_why_and_can_be_filed_again(
    hub: LiveHub, phone_page: Page, screenshot: Shot, accessible: Callable[..., None]
) -> None:
    page = phone_page
    enrolled(page, hub, VILLAGE)
    refused = refuse_once(page, "area-not-permitted")
    page.get_by_role("link", name="本月零报告").click()
    page.get_by_role("button", name=SUBMIT).click()
    expect(page.locator(".card", has_text="零报告")).to_contain_text("被中心退回")
    assert len(refused) == 1

    page.get_by_role("link", name="首页").click()
    page.get_by_role("link", name="本月零报告").click()
    expect(page.get_by_role("alert")).to_contain_text("上次提交的零报告被中心退回")
    expect(page.get_by_role("alert")).to_contain_text("超出本机登记的村（居）或职责范围")
    expect(page.get_by_text("等待网络发送")).to_have_count(0)
    expect(page.get_by_role("button", name=SUBMIT)).to_be_enabled()
    screenshot(page, "app-31-zero-refused")
    accessible(page, aaa=True)

    page.get_by_role("button", name=SUBMIT).click()
    card = page.locator(".card", has_text="零报告")
    expect(card.locator(".receipt")).to_contain_text("中心签名已核验")
    expect(card).to_have_count(1)  # the refused one is replaced, not kept beside it
    screenshot(page, "app-32-zero-filed-again")
    (zero,) = hub.read("/v1/reports")["items"]
    compliance = hub.read("/v1/compliance", period=zero["payload"]["period"])
    assert [(u["code"], u["status"]) for u in compliance["units"]] == [(VILLAGE, "zero_reported")]
