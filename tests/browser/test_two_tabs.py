"""The entrance open twice on one phone (the home-screen icon and a browser tab).

Both share the outbox. When the signal returns, both send what is queued; a report
signed long ago is signed again with a fresh ``iat`` under its message id by each. The
hub ledgers the first and answers the other ``replay``: it holds this phone's report
under that id already.
"""

from __future__ import annotations

from entrancekit import enrolled, flushed, sign_report
from livehub import LiveHub
from playwright.sync_api import Page, Response, expect

from certhub.mocks.population import Population

VILLAGE = {"county": "440825", "village": "440825028236"}
# What the other tab sends: the queued report signed again under its id, a later iat.
_SIGNED_AGAIN = """async () => {
  const { kv, outbox } = await import("./db.js");
  const { hubNow } = await import("./hub.js");
  const { signMessage } = await import("./jws.js");
  const [entry] = await outbox.all();
  const identity = await kv.get("identity");
  return signMessage(identity, entry.payload, { jti: entry.jti, iat: hubNow() + 1 });
}"""


def test_a_report_the_other_tab_sent_is_not_refused_here(hub: LiveHub, phone_page: Page) -> None:
    """Before, this tab marked its copy 被中心退回 with 这份上报的编号已被使用，请重新上报。:
    the coordinator, told to report the death again, did, and the county had two reports
    of one death. The hub holds the report; the copy goes, and 我的上报 shows the hub's."""
    page = phone_page
    person = Population(seed=13).person() | {"region": VILLAGE}
    enrolled(page, hub, VILLAGE["village"])
    page.context.set_offline(True)
    card = sign_report(page, person)
    expect(card).to_contain_text("待发送")
    other_tab = hub.post_jws("/v1/reports", page.evaluate(_SIGNED_AGAIN).encode())
    assert other_tab.status_code == 202, other_tab.text

    answers: list[int] = []

    def answered(response: Response) -> None:
        if response.url.endswith("/v1/reports"):
            answers.append(response.status)

    page.on("response", answered)
    page.context.set_offline(False)
    flushed(page)
    assert answers == [409]  # replay: another message under this id, the other tab's
    page.get_by_role("link", name="我的上报", exact=True).click()
    expect(card).to_have_count(1)
    expect(card).to_contain_text("中心已接收")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert len(hub.read("/v1/reports")["items"]) == 1
