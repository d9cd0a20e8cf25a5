"""The report form reads what a coordinator types as the hub will, before anything is signed.

A report is signed at once and may wait hours in the phone's queue for a signal; what
the hub then refuses comes back as 被中心退回 long after the coordinator left the
family, and the death must be collected again. So the form refuses on the spot what
the hub would refuse, and reads an ID number typed the way Chinese phones type it.
"""

from __future__ import annotations

from typing import Any

from entrancekit import enrolled
from livehub import LiveHub
from playwright.sync_api import Page, expect
from procedurekit import roster_entry

from certhub.mocks.population import Population

VILLAGE = {"county": "440825", "village": "440825028236"}
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def pensioner(hub: LiveHub, seed: int) -> dict[str, Any]:
    """A person of the village, put on the roster by the provincial system."""
    person = Population(seed=seed).person() | {"region": VILLAGE}
    response = hub.push("/v1/roster", "province", roster_entry(person))
    assert response.status_code == 202, response.text
    return person


def report_death(page: Page, name: str, id_number: str) -> None:
    """Fill the report form (opened from the bottom bar) for a death today and submit it."""
    page.get_by_role("link", name="上报", exact=True).click()
    page.get_by_label("姓名").fill(name)
    page.get_by_label("身份证号").fill(id_number)
    page.locator("label.choice", has_text="死亡").click()
    page.get_by_role("button", name="签名并上报").click()


def test_a_name_with_an_invisible_character_is_refused_before_signing(
    hub: LiveHub, phone_page: Page
) -> None:
    """A name pasted from a chat message carrying a zero-width space (U+200B) looks
    right. Before, the phone signed and queued it; the hub refused the payload
    (schema-violation: a name holds no control or format character) and the death came
    back 被中心退回 with 上报内容不完整或有误, nothing saying what."""
    page = phone_page
    person = pensioner(hub, 7)
    enrolled(page, hub, VILLAGE["village"])
    report_death(page, person["name"][:1] + "\u200b" + person["name"][1:], person["id_number"])
    expect(page.get_by_role("alert")).to_contain_text("姓名中有看不见的字符")
    page.get_by_role("link", name="我的上报", exact=True).click()
    expect(page.locator(".card")).to_have_text("还没有上报。")
    assert hub.read("/v1/reports")["items"] == []


def test_an_id_number_typed_in_full_width_or_in_groups_is_read_as_its_characters(
    hub: LiveHub, phone_page: Page
) -> None:
    """A Chinese keyboard in full-width mode types ４４０８… and Ｘ; people write the number
    in groups (6, 8, 4). Before, the form refused both as 身份证号不正确 and the people
    search by the last digits found nobody. Now both are read as the 18 characters."""
    page = phone_page
    person, other = pensioner(hub, 7), pensioner(hub, 8)
    enrolled(page, hub, VILLAGE["village"])
    page.get_by_role("link", name="本村人员").click()
    page.get_by_label("查找").fill(person["id_number"][-4:].translate(FULL_WIDTH))
    expect(page.locator(".card")).to_have_count(1)
    expect(page.locator(".card")).to_contain_text(person["name"])

    number = other["id_number"]
    typed = f"{number[:6]} {number[6:14]}\u3000{number[14:]}".translate(FULL_WIDTH)
    report_death(page, other["name"], typed)
    expect(page.locator(".card", has_text=other["name"]).locator(".receipt")).to_contain_text(
        "中心签名已核验"
    )
    (stored,) = hub.read("/v1/reports")["items"]
    assert stored["payload"]["person"]["id_number"] == number


def test_a_pensioner_chosen_from_the_list_is_the_one_reported(
    hub: LiveHub, phone_page: Page
) -> None:
    """为…上报情况 opens the form under the chosen pensioner's name and masked number.
    Before, the name and ID number fields stayed editable: typed over (a slip, a paste,
    the keyboard's suggestion), the death report was signed for another number while the
    screen still named the chosen person - and the chosen person's village sent with it.
    Now a chosen person's fields are the register's and cannot be typed over; another
    person is reported from the blank form (上报 in the bottom bar)."""
    page = phone_page
    chosen, other = pensioner(hub, 7), pensioner(hub, 8)
    enrolled(page, hub, VILLAGE["village"])
    page.get_by_role("link", name="本村人员").click()
    page.get_by_role("link", name=f"为{chosen['name']}上报情况").click()
    expect(page.get_by_role("heading", name="上报丧失资格")).to_be_visible()
    for label, typed in (("身份证号", other["id_number"]), ("姓名", other["name"])):
        page.get_by_label(label).click()
        page.keyboard.press("Control+A")
        page.keyboard.type(typed)
    page.locator("label.choice", has_text="失踪").click()
    page.get_by_role("button", name="签名并上报").click()
    expect(page.locator(".card", has_text=chosen["name"]).locator(".receipt")).to_contain_text(
        "中心签名已核验"
    )
    (stored,) = hub.read("/v1/reports")["items"]
    assert stored["payload"]["person"]["id_number"] == chosen["id_number"]
    assert stored["payload"]["person"]["name"] == chosen["name"]
