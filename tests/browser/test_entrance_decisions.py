"""Questions about the coordinators' entrance that need the province's answer, not a fix.

Each is a strict xfail: it fails on its assertion today and passes once decided and built.
"""

from __future__ import annotations

import re

import pytest
from entrancekit import enrolled_with_list, kept_on_the_phone
from livehub import LiveHub
from playwright.sync_api import Page
from questionkit import decision_wanted

VILLAGE = {"county": "440825", "village": "440825028236"}


@pytest.fixture
def hub(village_hub: LiveHub) -> LiveHub:
    """The conftest's hub of a village that must report monthly."""
    return village_hub


@decision_wanted(
    "a coordinator who hands the phone on (leaves the post; a family "
    "phone) has no way to wipe it. The village's list, every pensioner's full ID number and "
    "name, stays in IndexedDB until the county revokes the key and the phone next reaches "
    "the hub. Offer 退出本机登记 (wipe, keep or send the unsent reports, ask the hub to revoke "
    "the phone's own key), or is the county's revocation the only way?"
)
def test_a_coordinator_can_wipe_the_phone_before_handing_it_on(
    hub: LiveHub, phone_page: Page
) -> None:
    page = phone_page
    person = enrolled_with_list(page, hub, VILLAGE, seed=19)
    page.get_by_role("link", name="首页").click()
    leave = page.get_by_role("button", name=re.compile("退出|清除本机"))
    assert leave.count() == 1, "no way to leave on the home screen"
    leave.click()
    assert person["id_number"] not in kept_on_the_phone(page)
