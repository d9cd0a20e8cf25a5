"""A phone whose browser has no Ed25519 in WebCrypto still enrols, reads and reports.

Ed25519 came to WebCrypto late (Chrome 137, 2025); the browsers built into cheap Android
phones and chat apps (WebView forks of older Chromium) answer ``generateKey`` with
NotSupportedError. The hub takes P-256 keys (ES256) for exactly those phones
(tests/enrolment/test_enrolment_api.py); the page must make one when Ed25519 is missing.
Here Chromium is made to refuse Ed25519 the way such a browser does.
"""

from __future__ import annotations

import json

import pytest
from entrancekit import enrolled, enrolled_with_list, report_missing
from livehub import LiveHub
from playwright.sync_api import Page, expect
from procedurekit import roster_entry

from certhub.mocks.population import Population
from certhub.security import b64url_decode

VILLAGE = {"county": "440825", "village": "440825028236"}
WITHOUT_ED25519 = """(() => {
  const subtle = crypto.subtle;
  const ed25519 = (algorithm) =>
    String(typeof algorithm === "string" ? algorithm : algorithm?.name).toLowerCase() === "ed25519";
  const unsupported = new DOMException("Algorithm: Unrecognized name", "NotSupportedError");
  const refused = () => Promise.reject(unsupported);
  for (const [method, at] of [["generateKey", 0], ["importKey", 2], ["sign", 0], ["verify", 0]]) {
    const original = subtle[method].bind(subtle);
    subtle[method] = (...args) => (ed25519(args[at]) ? refused() : original(...args));
  }
})();"""


@pytest.fixture
def hub(village_hub: LiveHub) -> LiveHub:
    """The conftest's hub of a village that must report monthly."""
    return village_hub


# What Chromium before 92 lacks (the WebViews of phones that get no browser updates).
WITHOUT_CHROME_92 = """delete Crypto.prototype.randomUUID;"""


def test_an_older_webview_lists_the_village_and_reports_from_it(
    hub: LiveHub, phone_page: Page
) -> None:
    """Before, 本村人员 threw (crypto.randomUUID is not a function) and showed no one: the
    list, and reporting from it, was out of reach on such a phone, which enrols and
    reports from the blank form (P-256, above)."""
    page = phone_page
    page.add_init_script(WITHOUT_ED25519 + WITHOUT_CHROME_92)
    person = enrolled_with_list(page, hub, VILLAGE, seed=37)
    page.get_by_role("link", name=f"为{person['name']}上报情况").click()
    page.locator("label.choice", has_text="失踪").click()
    page.get_by_role("button", name="签名并上报").click()
    expect(page.locator(".card", has_text=person["name"]).locator(".receipt")).to_be_visible()


def test_a_browser_without_ed25519_enrols_with_a_p256_key_and_reports(
    hub: LiveHub, phone_page: Page
) -> None:
    """Before, 登记本机 answered 登记未成功：Algorithm: Unrecognized name, every time: the
    coordinator could never enrol the phone."""
    page = phone_page
    page.add_init_script(WITHOUT_ED25519)
    person = Population(seed=11).person() | {"region": VILLAGE}
    assert hub.push("/v1/roster", "province", roster_entry(person)).status_code == 202
    enrolled(page, hub, VILLAGE["village"])

    page.get_by_role("link", name="本村人员").click()
    expect(page.locator(".card", has_text=person["name"])).to_have_count(1)  # a signed read
    card, status = report_missing(page, person)
    assert status == 202
    expect(card.locator(".receipt")).to_contain_text("回执：台账第")
    expect(page.get_by_role("alert")).to_have_count(0)  # an unverifiable receipt is no alarm

    (item,) = hub.read("/v1/reports")["items"]
    header = json.loads(b64url_decode(item["jws"].split(".")[0]))
    assert header["alg"] == "ES256"
    assert item["payload"]["person"]["id_number"] == person["id_number"]
