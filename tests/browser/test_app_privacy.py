"""What a coordinator's phone keeps outside the entrance's own store, and a narrower phone.

The entrance wipes what it kept (IndexedDB, sessionStorage) once the county revokes a
lost phone; the browser's history it cannot wipe. A pensioner's ID number must never
be part of an address the page navigates to: the history (and a synced browser
profile) would keep it in full, while every screen shows it masked.
"""

from __future__ import annotations

from typing import Any

import pytest
from entrancekit import (
    coordinators,
    enrolled,
    expire,
    kept_on_the_phone,
)
from livehub import LiveHub
from playwright.sync_api import Page, expect
from procedurekit import roster_entry

from certhub.mocks.population import Population

VILLAGE = {"county": "440825", "village": "440825028236"}


@pytest.fixture
def hub(village_hub: LiveHub) -> LiveHub:
    """The conftest's hub of a village that must report monthly."""
    return village_hub


def pensioner(hub: LiveHub) -> dict[str, Any]:
    """A person of the village, put on the roster by the provincial system."""
    person = Population(seed=7).person() | {"region": VILLAGE}
    response = hub.push("/v1/roster", "province", roster_entry(person))
    assert response.status_code == 202, response.text
    return person


def kept_once_expired(page: Page, hub: LiveHub) -> str:
    """What the phone keeps in IndexedDB (as JSON) once the county let its one coordinator's
    enrolment expire and the entrance said so (本机登记已过期 on 我的上报)."""
    (phone,) = coordinators(hub)
    expire(hub, phone.sender)
    page.wait_for_timeout(500)  # the hub reloads its trust store every 0.2 s here
    page.get_by_role("link", name="我的上报", exact=True).click()
    expect(page.get_by_role("heading", name="本机登记已过期")).to_be_visible()
    return kept_on_the_phone(page)


def test_choosing_a_pensioner_puts_no_id_number_in_the_address(
    hub: LiveHub, phone_page: Page
) -> None:
    """Before, 为…上报情况 opened ``#/report?person=<the full ID number>``: the browser's
    history kept all 18 characters (with the page title 上报丧失资格, i.e. whose death
    was reported) after the county revoked the lost phone and the entrance wiped itself."""
    page = phone_page
    person = pensioner(hub)
    enrolled(page, hub, VILLAGE["village"])
    page.get_by_role("link", name="本村人员").click()
    page.get_by_role("link", name=f"为{person['name']}上报情况").click()
    expect(page.get_by_role("heading", name="上报丧失资格")).to_be_visible()
    # the report screen still knows whom it is for
    expect(page.get_by_label("身份证号")).to_have_value(person["id_number"])
    visited = page.evaluate("() => [location.href, ...performance.getEntries().map(e => e.name)]")
    assert not [address for address in visited if person["id_number"] in address]
    assert person["id_number"][6:14] not in page.url  # not even the birth date
    page.go_back()
    expect(page.get_by_role("heading", name="本村人员")).to_be_visible()
    page.go_forward()  # the address of the chosen person is no use on its own
    expect(page.get_by_role("heading", name="上报丧失资格")).to_be_visible()


def test_an_expired_enrolment_keeps_no_list_of_the_village(hub: LiveHub, phone_page: Page) -> None:
    """Before, an enrolment whose year was up forgot only its identity: the village's
    list (every pensioner's full ID number and name), its verification tasks and their
    month's counts stayed in IndexedDB for good, on a phone nobody may read with any more
    and that may be handed to the next village's coordinator. Now they go with the
    identity; the reports not yet sent stay queued (tests/browser/test_expired_enrolment.py)."""
    page = phone_page
    person = pensioner(hub)
    enrolled(page, hub, VILLAGE["village"])
    page.get_by_role("link", name="本村人员").click()
    expect(page.locator(".card", has_text=person["name"])).to_have_count(1)
    assert person["id_number"] in kept_on_the_phone(page)  # kept for offline search

    kept = kept_once_expired(page, hub)
    assert person["id_number"] not in kept
    assert person["name"] not in kept


def test_an_expired_enrolment_keeps_no_full_id_number_of_what_it_reported(
    hub: LiveHub, phone_page: Page
) -> None:
    """The receipts of the last 50 reports stay on the phone past its enrolment (the proof
    of what it sent under the old sender id). Before, each kept the report's whole payload:
    the full ID number of every pensioner the phone had reported dead, on a phone nobody
    may read with any more. The receipts screen shows the number masked; now it is kept so."""
    page = phone_page
    person = pensioner(hub)
    enrolled(page, hub, VILLAGE["village"])
    page.get_by_role("link", name="本村人员").click()
    page.get_by_role("link", name=f"为{person['name']}上报情况").click()
    page.locator("label.choice", has_text="死亡").click()
    page.get_by_role("button", name="签名并上报").click()
    card = page.locator(".card", has_text=person["name"])
    expect(card.locator(".receipt")).to_contain_text("中心签名已核验")

    kept = kept_once_expired(page, hub)
    assert person["name"] in kept  # the receipt is still there
    assert person["id_number"] not in kept


@pytest.mark.parametrize("width", [320, 360])
def test_every_screen_fits_a_small_phone(hub: LiveHub, phone_page: Page, width: int) -> None:
    """Cheap Android phones are 360 or 320 CSS pixels wide: no screen scrolls sideways
    (a bottom bar button or the report's submit pushed off the screen is out of reach)."""
    page = phone_page
    pensioner(hub)
    page.set_viewport_size({"width": width, "height": 640})
    enrolled(page, hub, VILLAGE["village"])
    wide = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    for screen in ("", "people", "report", "zero", "mine", "tasks", "stats"):
        page.goto(f"{hub.url}/app/#/{screen}")
        expect(page.locator("#screen-title")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert page.evaluate(wide) <= 0, (screen, width)
