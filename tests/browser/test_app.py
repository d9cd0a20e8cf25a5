"""The coordinators' mobile entrance, used as a coordinator would on a 390×844 phone.

Debian's Chromium runs the page; the hub is a real one on a real port. The county
side (issuing the enrolment code, accepting and approving the report) is driven
through the API with the county staff's own keys. Every report the phone sends is
checked in the ledger: a compact JWS signed by the phone's key, accepted unchanged.
Screenshots of each screen go to tests/browser/screenshots/ (app-NN-*.png).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from entrancekit import (
    CODE_REQUEST,
    Shot,
    coordinators,
    county_may_also_send,
    enrolled,
    enrolment_code,
    stored_on_the_phone,
)
from livehub import LiveHub
from PIL import Image
from playwright.sync_api import Page, expect
from procedurekit import roster_entry

from certhub.mocks.population import Population
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.security import SigningKey, TrustStore, b64url_decode, parse_compact

VILLAGE = {"county": "440825", "village": "440825028236"}
OTHER_VILLAGE = {"county": "440825", "village": "440825028237"}
REVOCATION = "key_revocation/v1"


@pytest.fixture
def hub(live_hub_factory: Callable[..., LiveHub], tmp_path: Path) -> LiveHub:
    """A hub whose county reviewer issues codes and whose village must report monthly."""
    units = tmp_path / "units.csv"
    units.write_text(f"code,name\n{VILLAGE['village']},试验村\n", encoding="utf-8")
    return live_hub_factory(
        trusting=county_may_also_send(CODE_REQUEST, REVOCATION), reporting_units=units
    )


def pensioners(hub: LiveHub, count: int, region: dict[str, str]) -> list[dict[str, Any]]:
    """``count`` people living in ``region``, put on the roster by the provincial system."""
    population = Population(seed=int(region["village"]))
    people = [population.person() | {"region": region} for _ in range(count)]
    for person in people:
        response = hub.push("/v1/roster", "province", roster_entry(person))
        assert response.status_code == 202, response.text
    return people


def photo_with_location(path: Path) -> Path:
    """A 2400×1800 camera JPEG whose EXIF carries a GPS position (the hub refuses such)."""
    image = Image.radial_gradient("L").resize((2400, 1800)).convert("RGB")
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (22.0, 54.0, 0.0), 3: "E", 4: (112.0, 2.0, 0.0)})
    image.save(path, "JPEG", exif=exif, quality=95)
    return path


def card(page: Page, text: str) -> Any:
    return page.locator(".card", has_text=text)


def test_a_coordinator_finds_a_pensioner_reports_a_death_offline_and_follows_it(
    hub: LiveHub,
    phone_page: Page,
    screenshot: Shot,
    accessible: Callable[..., None],
    tmp_path: Path,
) -> None:
    page = phone_page
    mine, _, _ = people = pensioners(hub, 3, VILLAGE)
    elsewhere = pensioners(hub, 1, OTHER_VILLAGE)[0]
    enrolled(page, hub, VILLAGE["village"], screenshot)
    screenshot(page, "app-02-home")
    accessible(page, aaa=True)

    # Find a pensioner by the last digits of the ID number: only this village's people.
    page.get_by_role("link", name="本村人员").click()
    for person in people:
        expect(card(page, person["name"])).to_have_count(1)
    expect(card(page, elsewhere["name"])).to_have_count(0)
    page.get_by_label("查找").fill(mine["id_number"][-4:])
    found = page.locator(".card")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(mine["name"])
    expect(found).to_contain_text("未认证")  # on the roster, never certified yet
    nearest = found.get_by_role("link", name="附近哪里可以认证")
    expect(nearest).to_have_attribute("href", f"/map/?place={VILLAGE['village']}")
    screenshot(page, "app-03-people")
    accessible(page, aaa=True)

    # Report the death with a photo taken by the camera.
    found.get_by_role("link", name=f"为{mine['name']}上报情况").click()
    expect(page.get_by_role("heading", name="上报丧失资格")).to_be_visible()
    page.locator("label.choice", has_text="死亡").click()
    original = photo_with_location(tmp_path / "camera.jpg")
    page.locator("#camera").set_input_files(original)
    expect(page.locator(".photos img")).to_have_count(1)
    screenshot(page, "app-04-report")
    accessible(page, aaa=True)
    page.get_by_role("button", name="签名并上报").click()
    expect(card(page, mine["name"]).locator(".receipt")).to_contain_text("中心签名已核验")
    screenshot(page, "app-05-receipt")

    # No signal: the second report is signed and kept on the phone.
    page.context.set_offline(True)
    expect(page.locator("#net")).to_have_text("○ 离线")
    second = people[1]
    page.get_by_role("link", name="人员", exact=True).click()  # the list kept on the phone
    expect(page.get_by_text("离线：显示上次取得的名单")).to_be_visible()
    page.get_by_label("查找").fill(second["name"])
    expect(page.locator(".card")).to_have_count(1)
    page.get_by_role("link", name=f"为{second['name']}上报情况").click()
    expect(page.get_by_label("身份证号")).to_have_value(second["id_number"])
    page.locator("label.choice", has_text="服刑").click()
    page.get_by_role("button", name="签名并上报").click()
    expect(card(page, second["name"])).to_contain_text("待发送")
    page.reload()  # still no signal: the service worker serves the page, IndexedDB the queue
    expect(page.get_by_role("heading", name="我的上报")).to_be_visible()
    expect(card(page, second["name"])).to_contain_text("待发送")
    screenshot(page, "app-06-offline-queued")
    assert len(hub.read("/v1/reports")["items"]) == 1

    # Signal again: the queue is sent and both receipts show.
    page.context.set_offline(False)
    expect(card(page, second["name"]).locator(".receipt")).to_contain_text("中心签名已核验")
    expect(card(page, mine["name"]).locator(".receipt")).to_be_visible()
    screenshot(page, "app-07-both-receipts")
    accessible(page, aaa=True)

    reports = hub.read("/v1/reports")["items"]
    assert [r["payload"]["person"]["name"] for r in reports] == [mine["name"], second["name"]]
    check_signed_by_the_phone(hub, reports)
    check_the_photo(hub, reports[0], original)

    # The county accepts and approves the death: a verification task opens.
    death = reports[0]["sequence"]
    for party, action in (("town-1", "accept"), ("county-1", "approve")):
        response = hub.push(f"/v1/reports/{death}/decisions", party, decision(party, death, action))
        assert response.status_code == 202, response.text
    page.get_by_role("link", name="我的上报").click()
    expect(card(page, mine["name"])).to_contain_text("已立核实任务")
    expect(card(page, second["name"])).to_contain_text("中心已接收")
    page.goto(f"{hub.url}/app/#/tasks")
    expect(card(page, mine["name"])).to_contain_text("待核实")
    screenshot(page, "app-08-tasks")
    accessible(page, aaa=True)
    page.goto(f"{hub.url}/app/#/stats")
    expect(page.locator("#stat-reports")).to_have_text("2 件")
    expect(page.locator("#stat-open-tasks")).to_have_text("1 件")
    screenshot(page, "app-09-stats")

    # Reports exist this month, so there is no zero report to file for it.
    page.goto(f"{hub.url}/app/#/zero")
    expect(page.get_by_text("本村本月已有上报")).to_be_visible()

    # The county confirms the death: the coordinator sees the benefit terminated.
    (task,) = hub.read("/v1/verification-tasks", status="open")["items"]
    confirmed = {
        "type": "task_transition/v1",
        "task_id": task["task_id"],
        "to_status": "confirmed",
        "method": "department_letter",
        "outcome": "民政部门火化记录核实",
        "event_date": reports[0]["payload"]["event_date"],
        "actor": {"id": "county-1", "role": "county_reviewer"},
        "at": datetime.now(UTC).isoformat(),
    }
    path = f"/v1/verification-tasks/{task['task_id']}/transitions"
    assert hub.push(path, "county-1", confirmed).status_code == 202
    page.get_by_role("link", name="我的上报", exact=True).click()
    expect(card(page, mine["name"])).to_contain_text("已终止待遇")


def decision(party: str, item: int, action: str) -> dict[str, Any]:
    role = "town_staff" if party.startswith("town") else "county_reviewer"
    return {
        "type": "decision/v1",
        "subject_id": str(item),
        "action": action,
        "actor": {"id": party, "role": role},
        "decided_at": datetime.now(UTC).isoformat(),
        "reasons": [],
    }


def check_signed_by_the_phone(hub: LiveHub, reports: list[dict[str, Any]]) -> None:
    """Each report is the phone's compact JWS, with the header of the wire contract."""
    store = TrustStore.load(hub.settings.trust_store_path)
    for report in reports:
        header = json.loads(b64url_decode(report["jws"].split(".")[0]))
        entry = store.get(header["kid"])
        assert entry is not None
        assert entry.role == "coordinator"
        assert entry.sender == header["iss"] == report["sender"]
        assert header["kid"] == entry.key.thumbprint()
        assert header["alg"] == "EdDSA"
        assert header["typ"] == "eligibility_report/v1"
        assert re.fullmatch(r"app-[0-9a-f]{32}", header["jti"])
        assert set(header) == {"alg", "kid", "typ", "iat", "jti", "iss"}
        message = parse_compact(report["jws"].encode())
        assert entry.key.verify(message.signature, message.signing_input)
        payload = report["payload"]
        assert payload["reporter"] == {"id": entry.sender, "role": "coordinator"}
        assert payload["region"] == VILLAGE


def check_the_photo(hub: LiveHub, report: dict[str, Any], original: Path) -> None:
    """The evidence the phone uploaded is the made-small photo, without its location."""
    (evidence,) = report["payload"]["evidence"]
    assert evidence["kind"] == "death_certificate"
    assert evidence["media_type"] == "image/jpeg"
    response = hub.http.get(f"/v1/evidence/{evidence['sha256']}", headers=hub.bearer("county-1"))
    assert response.status_code == 200
    stored = Image.open(io.BytesIO(response.content))
    assert max(stored.size) == 1600
    assert not stored.getexif().get_ifd(0x8825)
    assert len(response.content) < original.stat().st_size
    refused = hub.http.post(
        "/v1/evidence",
        content=original.read_bytes(),
        headers={"Content-Type": "image/jpeg", **hub.bearer("county-1", scope="evidence")},
    )
    assert refused.json()["type"] == "urn:certhub:problem:evidence-location-data"


def test_the_zero_report_is_one_tap_and_shows_its_deadline(
    hub: LiveHub, phone_page: Page, screenshot: Shot, accessible: Callable[..., None]
) -> None:
    page = phone_page
    enrolled(page, hub, VILLAGE["village"])
    page.get_by_role("link", name="本月零报告").click()
    expect(page.locator("#deadline")).to_contain_text("23:59")
    screenshot(page, "app-10-zero-report")
    accessible(page, aaa=True)
    page.get_by_role("button", name=re.compile("提交零报告")).click()
    expect(card(page, "零报告").locator(".receipt")).to_contain_text("中心签名已核验")
    screenshot(page, "app-11-zero-receipt")

    (zero,) = hub.read("/v1/reports")["items"]
    period = zero["payload"]["period"]
    compliance = hub.read("/v1/compliance", period=period)
    units = compliance["units"]
    assert [(u["code"], u["status"]) for u in units] == [(VILLAGE["village"], "zero_reported")]
    page.get_by_role("link", name="首页").click()
    page.get_by_role("link", name="本月零报告").click()
    expect(page.get_by_role("button", name=re.compile("提交零报告"))).to_be_disabled()
    due = datetime.fromisoformat(compliance["deadline"]).astimezone(CHINA_STANDARD_TIME)
    assert (due.hour, due.minute) == (23, 59)
    expect(page.locator("#deadline")).to_have_text(f"{due.year}年{due.month}月{due.day}日 23:59")
    year, month = period.split("-")
    expect(page.get_by_text(f"{year} 年 {int(month)} 月", exact=True)).to_be_visible()


def test_a_report_signed_long_ago_is_signed_again_under_the_same_message_id(
    hub: LiveHub, phone_page: Page
) -> None:
    page = phone_page
    (person,) = pensioners(hub, 1, VILLAGE)
    enrolled(page, hub, VILLAGE["village"])
    now = datetime.now(UTC)
    page.context.set_offline(True)
    page.clock.install(time=now - timedelta(minutes=20))  # made 20 minutes ago, no signal
    page.get_by_role("link", name="上报", exact=True).click()
    page.get_by_label("姓名").fill(person["name"])
    page.get_by_label("身份证号").fill(person["id_number"])
    page.locator("label.choice", has_text="失踪").click()
    page.get_by_role("button", name="签名并上报").click()
    queued = card(page, person["name"])
    expect(queued).to_contain_text("待发送")
    jti = queued.get_attribute("data-jti")

    page.clock.set_system_time(datetime.now(UTC))
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")  # timers are the fake clock's
    expect(queued.locator(".receipt")).to_contain_text("中心签名已核验")

    (stored,) = hub.read("/v1/reports")["items"]
    header = json.loads(b64url_decode(stored["jws"].split(".")[0]))
    assert header["jti"] == jti
    assert abs(header["iat"] - datetime.now(UTC).timestamp()) < 120  # signed again, fresh
    assert stored["payload"]["reason"] == "missing"


def test_a_phone_the_county_revoked_says_so_and_enrols_again(
    hub: LiveHub, phone_page: Page, screenshot: Shot, accessible: Callable[..., None]
) -> None:
    page = phone_page
    enrolled(page, hub, VILLAGE["village"])
    (phone,) = coordinators(hub)
    assert stored_on_the_phone(page)["kv"] >= 1  # the identity, at least
    lost = {"type": REVOCATION, "kid": phone.kid, "reason": "手机丢失"}
    response = hub.push("/v1/enrolments/revocations", "county-1", lost)
    assert response.status_code == 200, response.text

    page.get_by_role("link", name="我的上报", exact=True).click()
    expect(page.get_by_role("heading", name="本机已停用")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("停用")
    expect(page.get_by_text("已清除")).to_be_visible()
    assert stored_on_the_phone(page) == {"kv": 0, "outbox": 0}  # nothing left
    screenshot(page, "app-12-revoked")
    accessible(page, aaa=True)
    page.get_by_role("button", name="重新登记本机").click()
    page.get_by_label("登记码").fill(enrolment_code(hub, VILLAGE["village"]))
    page.get_by_role("button", name="登记本机").click()
    expect(page.get_by_role("heading", name="首页")).to_be_visible()
    keys = sorted((e.kid == phone.kid, e.revoked) for e in coordinators(hub))
    assert keys == [(False, False), (True, True)]  # the lost key stays, revoked


def test_a_report_with_mistakes_is_neither_signed_nor_sent(hub: LiveHub, phone_page: Page) -> None:
    page = phone_page
    (person,) = pensioners(hub, 1, VILLAGE)
    enrolled(page, hub, VILLAGE["village"])
    page.get_by_role("link", name="上报", exact=True).click()
    page.get_by_label("姓名").fill(person["name"])
    wrong_check = person["id_number"][:17] + ("0" if person["id_number"][17] != "0" else "1")
    page.get_by_label("身份证号").fill(wrong_check)
    page.get_by_role("button", name="签名并上报").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("请选择原因")
    expect(problems).to_contain_text("身份证号不正确")

    page.get_by_label("身份证号").fill(person["id_number"])
    page.locator("label.choice", has_text="其他").click()
    page.get_by_role("button", name="签名并上报").click()
    expect(problems).to_have_text("原因为“其他”时请写明情况")
    page.get_by_role("link", name="我的上报", exact=True).click()
    expect(page.locator(".card")).to_have_text("还没有上报。")
    assert hub.read("/v1/reports")["items"] == []


def test_a_receipt_that_does_not_verify_is_shown_as_such(hub: LiveHub, phone_page: Page) -> None:
    page = phone_page
    enrolled(page, hub, VILLAGE["village"])
    # Someone between the phone and the hub answers with other keys than the hub's.
    other = {
        "keys": [SigningKey.generate().public_jwk() | {"kid": k["kid"]} for k in hub_keys(hub)]
    }
    page.route("**/.well-known/jwks.json", lambda route: route.fulfill(json=other))
    page.get_by_role("link", name="本月零报告").click()
    page.get_by_role("button", name=re.compile("提交零报告")).click()
    warning = card(page, "零报告").get_by_role("alert")
    expect(warning).to_contain_text("回执签名未通过核验")
    assert len(hub.read("/v1/reports")["items"]) == 1  # the hub did take it


def hub_keys(hub: LiveHub) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = hub.http.get("/.well-known/jwks.json").json()["keys"]
    assert keys
    return keys
