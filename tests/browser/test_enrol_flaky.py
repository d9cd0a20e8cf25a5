"""Enrolling a phone where the signal comes and goes.

The phone posts its new public key with the county's one-time code; the hub binds the
key and uses the code up. If the answer is then lost (the bus leaves the village, the
mobile network drops), the coordinator sees 登记需要网络 and taps 登记本机 again.
"""

from __future__ import annotations

import re

from entrancekit import coordinators, enrolment_code
from livehub import LiveHub
from playwright.sync_api import Page, Route, expect

VILLAGE = "440825028236"


def test_an_enrolment_whose_answer_was_lost_completes_when_tapped_again(
    hub: LiveHub, phone_page: Page
) -> None:
    """Before, the second tap made a new key pair and posted it with the code the first
    tap had already used: 登记码无效、已用过或已过期. The coordinator had to go back to
    the county for another code, and the first key stayed trusted for the village for a
    year on no phone at all. Now the phone posts the same key again and the hub, which
    bound that very key with that very code, answers as it did the first time."""
    page = phone_page
    code = enrolment_code(hub, VILLAGE)
    lost: list[int] = []

    def answer_lost_once(route: Route) -> None:
        if lost:
            route.continue_()
            return
        answer = route.fetch()  # the hub receives it, binds the key, uses the code up
        lost.append(answer.status)
        route.abort("connectionreset")  # …and the answer never reaches the phone

    page.route("**/v1/enrolments", answer_lost_once)
    page.goto(f"{hub.url}/app/")
    page.get_by_label("登记码").fill(code)
    page.get_by_role("button", name="登记本机").click()
    expect(page.get_by_role("alert")).to_contain_text("登记需要网络")
    assert lost == [201]

    page.get_by_role("button", name="登记本机").click()
    expect(page.get_by_role("heading", name="首页")).to_be_visible()
    (phone,) = coordinators(hub)  # one key for the village: the one this phone holds
    assert (
        page.evaluate(
            """async () => {
             const { kv } = await import("./db.js");
             return (await kv.get("identity")).kid;
           }"""
        )
        == phone.kid
    )


def test_a_hub_that_cannot_record_the_enrolment_is_told_in_chinese(
    hub: LiveHub, phone_page: Page
) -> None:
    """Before, every refusal but the four enrolment ones showed the hub's English detail:
    登记未成功：the enrolment cannot be recorded right now; retry (503 store-unavailable,
    here a codes file the hub cannot read). Enrolling is not retried by itself as a
    queued report is: the words say to tap again later."""
    page = phone_page
    (hub.settings.data_dir / "enrolment-codes.json").write_text("{", encoding="utf-8")
    page.goto(f"{hub.url}/app/")
    page.get_by_label("登记码").fill("1234-5678-9012")
    with page.expect_response("**/v1/enrolments") as answered:
        page.get_by_role("button", name="登记本机").click()
    assert answered.value.status == 503
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("中心暂时无法保存")
    expect(alert).not_to_contain_text("自动")  # nothing retries an enrolment by itself
    assert not re.search(r"[A-Za-z]{2,}", alert.inner_text())
