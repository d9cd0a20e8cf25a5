"""Every refusal the hub can answer reaches the coordinator in Chinese.

The entrance shows a refusal through ``problemText`` (ui.js); a slug it had no words
for fell back to the hub's English title (中心未接受：Outside the key's area or role),
which a village coordinator cannot act on. The whole catalogue is checked, so a slug
added to hub/problems.py without words for the phone fails here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from entrancekit import enrolled
from livehub import LiveHub
from playwright.sync_api import Page, Route, expect

from certhub.hub.problems import ALL_PROBLEMS
from certhub.schemas import problem_type_uri

VILLAGE = "440825028236"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Latin words a Chinese message may still name: file formats.
NAMES = re.compile(r"JPEG|PNG|PDF")


def test_every_slug_of_the_catalogue_has_chinese_words(hub: LiveHub, phone_page: Page) -> None:
    page = phone_page
    page.goto(f"{hub.url}/app/")
    problems = [
        {"type": problem_type_uri(slug), "title": title, "status": status}
        for slug, (status, title) in ALL_PROBLEMS.items()
    ]
    texts: list[str] = page.evaluate(
        """async (problems) => {
             const { problemText } = await import("./ui.js");
             return problems.map((problem) => problemText(problem));
           }""",
        problems,
    )
    untranslated = {
        slug: text
        for (slug, (_, title)), text in zip(ALL_PROBLEMS.items(), texts, strict=True)
        if text.startswith("中心未接受")
        or title in text
        or not CJK.search(text)
        or re.search(r"[A-Za-z]{2,}", NAMES.sub("", text))
    }
    assert untranslated == {}


def test_a_read_outside_the_phones_area_says_so_in_chinese(
    hub: LiveHub, phone_page: Page, screenshot: Callable[[Page, str], object]
) -> None:
    page = phone_page
    enrolled(page, hub, VILLAGE)

    def outside(route: Route) -> None:
        route.fulfill(
            status=403,
            content_type="application/problem+json",
            json={
                "type": problem_type_uri("area-not-permitted"),
                "title": ALL_PROBLEMS["area-not-permitted"][1],
                "status": 403,
                "detail": "outside the key's area",
            },
        )

    page.route("**/v1/compliance?*", outside)
    page.goto(f"{hub.url}/app/#/zero")
    expect(page.get_by_role("alert")).to_contain_text("超出本机登记的村（居）或职责范围")
    expect(page.get_by_text("Outside the key")).to_have_count(0)
    screenshot(page, "app-30-area-not-permitted")
