"""Names as the department feeds give them, on a 320-pixel phone.

A name is 1 to 100 characters of any script (schemas PersonName): Chinese, a Uyghur
name in Chinese with its middle dots, a foreign permanent resident's name in Latin
letters written without spaces, markup that must stay text.
"""

from __future__ import annotations

from typing import Any

import pytest
from entrancekit import enrolled
from livehub import LiveHub
from playwright.sync_api import Page, expect
from procedurekit import roster_entry

from certhub.mocks.population import Population

VILLAGE = {"county": "440825", "village": "440825028236"}
NAMES = [
    "阿卜杜热合曼·买买提明·阿不都热依木·艾尔肯江·吐尔逊托合提",
    "MUHAMMADABDURAHMANIBNABDULLAHALKHWARIZMI",
    '<img src=x onerror="document.title=1">',
]
WIDE = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def hub(village_hub: LiveHub) -> LiveHub:
    """The conftest's hub of a village that must report monthly."""
    return village_hub


def pensioners(hub: LiveHub) -> list[dict[str, Any]]:
    population = Population(seed=5)
    people = [population.person() | {"name": name, "region": VILLAGE} for name in NAMES]
    for person in people:
        assert hub.push("/v1/roster", "province", roster_entry(person)).status_code == 202
    return people


def test_long_names_fit_a_small_phone(hub: LiveHub, phone_page: Page) -> None:
    """Before, a name with a long run without a break (the Latin one; the markup's
    ``onerror="…"``) kept its card, its 为…上报情况 button and the report's heading at
    the run's width: the whole screen scrolled sideways by 262 pixels at 320. Markup in a
    name stays text (ui.js builds nodes, never HTML)."""
    page = phone_page
    people = pensioners(hub)
    page.set_viewport_size({"width": 320, "height": 640})
    enrolled(page, hub, VILLAGE["village"])
    page.get_by_role("link", name="本村人员").click()
    for person in people:
        expect(page.locator(".card", has_text=person["name"])).to_have_count(1)
    assert page.evaluate(WIDE) <= 0, "people"
    assert page.locator("main img").count() == 0
    assert page.title() != "1"
    page.get_by_role("link", name=f"为{people[1]['name']}上报情况").click()
    expect(page.get_by_role("heading", name="上报丧失资格")).to_be_visible()
    assert page.evaluate(WIDE) <= 0, "report"
    page.locator("label.choice", has_text="失踪").click()
    page.get_by_role("button", name="签名并上报").click()
    expect(page.locator(".card", has_text=people[1]["name"]).locator(".receipt")).to_be_visible()
    assert page.evaluate(WIDE) <= 0, "mine"
