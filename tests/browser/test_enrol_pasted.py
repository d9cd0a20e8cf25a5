"""An enrolment code copied from the county's message with the words around it.

A long press in a chat app copies the whole line: 登记码：1234-5678-9012。 The phone must
post the 12 digits; anything the hub cannot read is a wrong code, counted against the
phone's address (10 in 10 minutes lock it out).
"""

from __future__ import annotations

import pytest
from entrancekit import enrolment_code
from livehub import LiveHub
from playwright.sync_api import Page, Request, expect

VILLAGE = "440825028236"


@pytest.mark.parametrize("line", ["登记码：{code}。", "您的登记码为 {code} ，24小时内有效"])
def test_a_code_pasted_with_its_sentence_enrols_the_phone(
    hub: LiveHub, phone_page: Page, line: str
) -> None:
    """Before, the phone posted 登记码：123456789012。 as it was: enrolment-code-invalid
    (登记码无效、已用过或已过期), a wrong code counted, and the coordinator sent back to
    the county for another."""
    page = phone_page
    code = enrolment_code(hub, VILLAGE)
    posted: list[Request] = []
    page.on("request", lambda r: posted.append(r) if r.url.endswith("/v1/enrolments") else None)
    page.goto(f"{hub.url}/app/")
    page.get_by_label("登记码").fill(line.format(code=code))
    page.get_by_role("button", name="登记本机").click()
    expect(page.get_by_role("heading", name="首页")).to_be_visible()
    assert len(posted) == 1
