"""The enrolment code as a coordinator types or pastes it, read as its 12 digits.

The county sends the code by SMS or a chat message; a Chinese keyboard in full-width
mode types ４５６７, and chat text carries full-width hyphens (－) and ideographic
spaces. Every code the hub cannot read counts as a wrong one against the address the
phone comes from (10 in 10 minutes lock it out: tests/enrolment/test_enrolment_questions.py).
"""

from __future__ import annotations

from entrancekit import enrolment_code
from livehub import LiveHub
from playwright.sync_api import Page, expect

VILLAGE = "440825028236"
FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def test_a_code_pasted_in_full_width_enrols_the_phone(hub: LiveHub, phone_page: Page) -> None:
    """Before, the phone posted the text as typed: the hub read no 12 ASCII digits in
    ``１２３４－５６７８－９０１２``, answered enrolment-code-invalid (登记码无效、已用过或
    已过期) and counted a wrong code; the coordinator, told the code was bad, asked for
    another."""
    page = phone_page
    code = enrolment_code(hub, VILLAGE)
    page.goto(f"{hub.url}/app/")
    page.get_by_label("登记码").fill(f"\u3000{code.translate(FULL_WIDTH)} ")
    page.get_by_role("button", name="登记本机").click()
    expect(page.get_by_role("heading", name="首页")).to_be_visible()
