"""Native pushes, webhooks and uploads through the hub into the ledger — and every refusal."""

from __future__ import annotations

import json
import re
from typing import Any

from hubkit import Hub
from inboundkit import Departments
from latekit import label

from certhub.mocks.city_platforms import HEADER

TOWN = "441202101"
JOSE = {"Content-Type": "application/jose"}
ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")


async def _post(
    hub: Hub, path: str, body: bytes, headers: dict[str, str], params: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    response = await hub.client.post(path, data=body, headers=headers, params=params or {})
    return response.status, await response.json(content_type=None)


async def test_a_yunfu_report_is_recorded_with_a_receipt_and_once(
    hub: Hub, departments: Departments
) -> None:
    token = departments.yunfu.sign(departments.yunfu.report(事由="死亡"), jti="yf-report-1")
    status, body = await _post(hub, "/v1/inbound/yunfu/messages", token, JOSE)
    assert status == 202, body
    assert body["sender"] == "adapter:yunfu"
    assert body["type"] == "eligibility_report/v1"
    assert not body["duplicate"]
    again_status, again = await _post(hub, "/v1/inbound/yunfu/messages", token, JOSE)
    assert (again_status, again["duplicate"], again["sequence"]) == (202, True, body["sequence"])
    assert await hub.stored() == 1
    _, page = await hub.pull("/v1/reports")
    assert page["items"][0]["payload"]["reason"] == "death"


async def test_yunfu_refusals_store_nothing(hub: Hub, departments: Departments) -> None:
    from certhub.mocks.city_platforms import YunfuPlatform

    stranger = YunfuPlatform()
    status, body = await _post(
        hub, "/v1/inbound/yunfu/messages", stranger.sign(stranger.report()), JOSE
    )
    assert (status, body["type"]) == (401, "urn:certhub:problem:authentication-required")
    native = departments.yunfu.report(事由="离家")
    status, body = await _post(
        hub, "/v1/inbound/yunfu/messages", departments.yunfu.sign(native), JOSE
    )
    assert (status, body["type"]) == (422, "urn:certhub:problem:schema-violation")
    assert body["errors"][0]["column"] == "事由"
    status, _ = await _post(hub, "/v1/inbound/nowhere/messages", b"x", JOSE)
    assert status == 404
    assert await hub.stored() == 0


async def test_channel_webhooks_are_recorded_and_replays_refused(
    hub: Hub, departments: Departments
) -> None:
    for name, channel in departments.channels.items():
        body, headers = channel.signed(channel.callback())
        status, receipt = await _post(hub, f"/v1/inbound/{name}/messages", body, headers)
        assert status == 202, receipt
        assert receipt["type"] == "certification_event/v1"
        replay_status, replay = await _post(hub, f"/v1/inbound/{name}/messages", body, headers)
        assert (replay_status, replay["type"]) == (409, "urn:certhub:problem:replay")
    assert await hub.stored() == 4
    _, page = await hub.pull("/v1/certifications")
    kinds = {item["payload"]["channel"]["kind"] for item in page["items"]}
    assert kinds == {"app_gdrs", "yueshengshi", "yuezhizhu_kiosk", "ss_terminal"}


async def test_a_monthly_upload_is_accepted_row_by_row_with_a_masked_report(
    hub: Hub, departments: Departments
) -> None:
    period = label(0)  # this month in China, read as the test runs
    zq = departments.zhaoqing
    rows = zq.rows(TOWN, period, 4)
    bad_id = rows[2][1][:17] + ("0" if rows[2][1][17] != "0" else "1")
    rows[2] = [rows[2][0], bad_id, *rows[2][2:]]
    rows.append([*rows[0][:8], "重复一行"])  # duplicate of row 2
    rows.append(zq.zero_row(TOWN, 6, "239"))
    data = zq.monthly_csv(rows)
    headers = {"Content-Type": "text/csv", "X-Zhaoqing-Signature": zq.signature(data)}
    params = {"town": TOWN, "period": period}
    status, report = await _post(hub, "/v1/inbound/zhaoqing/uploads", data, headers, params)
    assert status == 200, report
    assert (report["total"], report["accepted"], report["rejected"]) == (6, 4, 2)
    rejected = {row["row"]: row for row in report["rows"] if row["status"] == "rejected"}
    assert rejected[4]["column"] == "身份证号"
    assert "duplicate of row 2" in rejected[6]["reason"]
    assert not ID_NUMBER.search(json.dumps(report, ensure_ascii=False))
    assert await hub.stored() == 4
    status, again = await _post(hub, "/v1/inbound/zhaoqing/uploads", data, headers, params)
    assert (status, again["accepted"], again["duplicate"]) == (200, 0, 4)
    assert await hub.stored() == 4


async def test_a_wholly_bad_upload_is_a_problem(hub: Hub, departments: Departments) -> None:
    period = label(0)  # this month in China, read as the test runs
    zq = departments.zhaoqing
    data = zq.monthly_csv(
        [row[:3] + row[4:] for row in zq.rows(TOWN, period, 2)], header=HEADER[:3] + HEADER[4:]
    )
    headers = {"Content-Type": "text/csv", "X-Zhaoqing-Signature": zq.signature(data)}
    status, body = await _post(
        hub, "/v1/inbound/zhaoqing/uploads", data, headers, {"town": TOWN, "period": period}
    )
    assert response_is_problem(status, body, 422)
    assert "missing columns: 事由" in body["errors"][0]["detail"]
    status, body = await _post(
        hub,
        "/v1/inbound/zhaoqing/uploads",
        data,
        {"Content-Type": "text/csv"},
        {"town": TOWN, "period": period},
    )
    assert response_is_problem(status, body, 401)
    assert await hub.stored() == 0


def response_is_problem(status: int, body: dict[str, Any], expected: int) -> bool:
    return status == expected and body["type"].startswith("urn:certhub:problem:")


async def test_messages_and_uploads_endpoints_are_not_interchangeable(
    hub: Hub, departments: Departments
) -> None:
    status, _ = await _post(hub, "/v1/inbound/zhaoqing/messages", b"x", JOSE)
    assert status == 404
    status, _ = await _post(hub, "/v1/inbound/yunfu/uploads", b"x", JOSE)
    assert status == 404
