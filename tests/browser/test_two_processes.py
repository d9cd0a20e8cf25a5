"""A phone just enrolled, talking to a deployment of several hub processes.

On PostgreSQL the process that bound the phone's key trusts it at once; the others
within ``CERTHUB_TRUST_RELOAD_SECONDS`` (README). Until then one of them answers the
phone's first push ``unknown-key`` and its first read ``invalid-token``: words the
entrance takes for a key the hub rejected (a lost phone), and wipes itself. Here hub B
shares A's database but does not reload its trust store during the test; the phone's
pushes are routed to B as a load balancer would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from entrancekit import CODE_REQUEST, county_may_also_send, enrolled, flushed, report_missing
from livehub import LiveHub
from pgkit import deployment_settings
from playwright.sync_api import Page, Route, expect

from certhub.mocks.population import Population

VILLAGE = {"county": "440825", "village": "440825028236"}


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """One deployment's database and key (set up before the hubs, dropped after them)."""
    with deployment_settings(tmp_path, "certhub_app") as settings:
        yield settings


@pytest.fixture
def hubs(
    deployment: dict[str, Any], live_hub_factory: Callable[..., LiveHub]
) -> tuple[LiveHub, LiveHub]:
    """Process A, and process B, which has not yet reloaded the deployment's trust store."""
    trusting = county_may_also_send(CODE_REQUEST)
    first = live_hub_factory(trusting=trusting, **deployment)
    second = live_hub_factory(trusting=trusting, trust_reload_seconds=600, **deployment)
    return first, second


def test_a_process_that_does_not_know_the_new_key_yet_does_not_wipe_the_phone(
    hubs: tuple[LiveHub, LiveHub], phone_page: Page
) -> None:
    """Before, B's 401 unknown-key to the first report, seconds after enrolment, made the
    phone wipe its identity and its outbox (本机已停用: the report was gone and the
    coordinator told to fetch a new code). A phone queued reports of an expired enrolment
    sends at once after enrolling again, so this is its usual first push."""
    a, b = hubs
    page = phone_page
    person = Population(seed=3).person() | {"region": VILLAGE}

    def to_b(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        route.fulfill(response=route.fetch(url=f"{b.url}/v1/reports"))

    enrolled(page, a, VILLAGE["village"])
    page.route("**/v1/reports", to_b)
    card, status = report_missing(page, person)
    assert status == 401
    expect(card).to_contain_text("待发送")
    expect(page.get_by_role("heading", name="本机已停用")).to_have_count(0)

    page.unroute("**/v1/reports")  # the next try reaches A (or B, once it has reloaded)
    flushed(page)
    expect(card.locator(".receipt")).to_contain_text("中心签名已核验")
    (item,) = a.read("/v1/reports")["items"]
    assert item["payload"]["person"]["id_number"] == person["id_number"]
