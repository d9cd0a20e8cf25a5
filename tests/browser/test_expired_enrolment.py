"""An enrolment whose year is up is not a lost phone: what the phone has not sent is kept.

A coordinator collects a death offline; by the time the signal is back the phone's key
has passed its ``not_after`` (README: the enrolled key expires after 365 days). The
report must not be wiped with the identity, as a revoked (lost) phone's is: a death
never reported is a benefit paid on. Once enrolled again with a new code, the phone
sends it, signed by its new key under its new sender id, and it is ledgered once.
"""

from __future__ import annotations

from pathlib import Path

from entrancekit import (
    coordinators,
    enrol,
    enrolled,
    enrolment_code,
    expire,
    sign_report,
)
from livehub import LiveHub
from playwright.sync_api import Page, expect
from procedurekit import roster_entry

from certhub.mocks.population import Population

VILLAGE = {"county": "440825", "village": "440825028236"}


def test_a_report_queued_when_the_enrolment_expires_is_sent_after_enrolling_again(
    hub: LiveHub, phone_page: Page, tmp_path: Path
) -> None:
    page = phone_page
    person = Population(seed=7).person() | {"region": VILLAGE}
    assert hub.push("/v1/roster", "province", roster_entry(person)).status_code == 202
    enrolled(page, hub, VILLAGE["village"])
    (first,) = coordinators(hub)

    page.context.set_offline(True)
    expect(sign_report(page, person, "死亡")).to_contain_text("待发送")

    expire(hub, first.sender)
    page.wait_for_timeout(500)  # the hub reloads its trust store every 0.2 s here
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_role("heading", name="本机登记已过期")).to_be_visible()
    expect(page.get_by_text("有 1 份上报尚未发出")).to_be_visible()
    assert hub.read("/v1/reports")["items"] == []

    page.get_by_role("button", name="重新登记本机").click()
    enrol(page, enrolment_code(hub, VILLAGE["village"]))
    second = next(e for e in coordinators(hub) if e.kid != first.kid)
    page.get_by_role("link", name="我的上报", exact=True).click()
    expect(page.locator(".card", has_text=person["name"]).locator(".receipt")).to_contain_text(
        "中心签名已核验"
    )
    (stored,) = hub.read("/v1/reports")["items"]
    assert stored["sender"] == second.sender
    assert stored["payload"]["reporter"] == {"id": second.sender, "role": "coordinator"}
    assert (stored["payload"]["reason"], stored["payload"]["person"]["id_number"]) == (
        "death",
        person["id_number"],
    )
