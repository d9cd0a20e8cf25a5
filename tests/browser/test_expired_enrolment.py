"""An enrolment whose year is up is not a lost phone: what the phone has not sent is kept.

A coordinator collects a death offline; by the time the signal is back the phone's key
has passed its ``not_after`` (README: the enrolled key expires after 365 days). The
report must not be wiped with the identity, as a revoked (lost) phone's is: a death
never reported is a benefit paid on. Once enrolled again with a new code, the phone
sends it, signed by its new key under its new sender id, and it is ledgered once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from livehub import LiveHub
from playwright.sync_api import Page, expect
from procedurekit import STAFF, roster_entry

from certhub.mocks.population import Population
from certhub.security import TrustStore

VILLAGE = {"county": "440825", "village": "440825028236"}
CODE_REQUEST = "enrolment_code_request/v1"


def county_issues_codes(store: TrustStore) -> TrustStore:
    """The county reviewer may also issue enrolment codes (README)."""
    entry = store.get(next(e.kid for e in store if e.sender == "county-1"))
    assert entry is not None
    return store.add(
        entry.key.to_jwk(),
        sender="county-1",
        may_send=[*STAFF, CODE_REQUEST],
        may_read=True,
        role="county_reviewer",
    )


@pytest.fixture
def hub(live_hub_factory: Callable[..., LiveHub]) -> LiveHub:
    """A hub whose county reviewer issues codes."""
    return live_hub_factory(trusting=county_issues_codes)


def enrolment_code(hub: LiveHub) -> str:
    """County staff ask the hub for a one-time code for a coordinator of the village."""
    payload = {"type": CODE_REQUEST, "village": VILLAGE["village"], "role": "coordinator"}
    response = hub.push("/v1/enrolment-codes", "county-1", payload)
    assert response.status_code == 201, response.text
    code: str = response.json()["code"]
    return code


def enrol(page: Page, code: str) -> None:
    """Bind the phone (at the enrolment screen) with ``code``."""
    page.get_by_label("登记码").fill(code)
    page.get_by_role("button", name="登记本机").click()
    expect(page.get_by_role("heading", name="首页")).to_be_visible()


def expire(hub: LiveHub, sender: str) -> None:
    """The phone's key reaches its ``not_after`` (rewritten an hour ago; the hub reloads)."""
    path = hub.settings.trust_store_path
    store = TrustStore.load(path)
    entry = next(e for e in store if e.sender == sender)
    past = datetime.now(UTC) - timedelta(hours=1)
    store.add(
        entry.key.to_jwk(),
        sender=entry.sender,
        may_send=entry.may_send,
        may_read=entry.may_read,
        role=entry.role,
        area=entry.area,
        not_after=past,
    ).save(path)


def coordinators(hub: LiveHub) -> list[Any]:
    """The coordinators' keys in the hub's trust store, in enrolment order of senders."""
    return [e for e in TrustStore.load(hub.settings.trust_store_path) if e.role == "coordinator"]


def test_a_report_queued_when_the_enrolment_expires_is_sent_after_enrolling_again(
    hub: LiveHub, phone_page: Page, tmp_path: Path
) -> None:
    page = phone_page
    person = Population(seed=7).person() | {"region": VILLAGE}
    assert hub.push("/v1/roster", "province", roster_entry(person)).status_code == 202
    page.goto(f"{hub.url}/app/")
    enrol(page, enrolment_code(hub))
    (first,) = coordinators(hub)

    page.context.set_offline(True)
    page.get_by_role("link", name="上报", exact=True).click()
    page.get_by_label("姓名").fill(person["name"])
    page.get_by_label("身份证号").fill(person["id_number"])
    page.locator("label.choice", has_text="死亡").click()
    page.get_by_role("button", name="签名并上报").click()
    expect(page.locator(".card", has_text=person["name"])).to_contain_text("待发送")

    expire(hub, first.sender)
    page.wait_for_timeout(500)  # the hub reloads its trust store every 0.2 s here
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_role("heading", name="本机登记已过期")).to_be_visible()
    expect(page.get_by_text("有 1 份上报尚未发出")).to_be_visible()
    assert hub.read("/v1/reports")["items"] == []

    page.get_by_role("button", name="重新登记本机").click()
    enrol(page, enrolment_code(hub))
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
