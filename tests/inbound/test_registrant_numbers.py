"""A city platform's report without its registrant's number is refused (谁收集、谁登记).

The number is the reporter's id (``yunfu:<编号>``, ``zhaoqing:<登记人编号>``). Before,
Yunfu's ``null`` became the reporter ``yunfu:None`` (``str(None)``) and an empty number
``yunfu:`` or ``zhaoqing:``: reports nobody registered, all under one made-up reporter.
"""

from __future__ import annotations

from typing import Any

import pytest
from hubkit import Hub
from inboundkit import Departments
from latekit import label

TOWN = "441202101"


@pytest.mark.parametrize("number", [None, "", "  ", False, ["1"]])
async def test_a_yunfu_report_without_a_registrant_number_is_refused(
    hub: Hub, departments: Departments, number: Any
) -> None:
    yunfu = departments.yunfu
    for native in (yunfu.report(), yunfu.zero_report(label(0))):
        registrant = native["登记人"] | {"编号": number}
        token = yunfu.sign(native | {"登记人": registrant})
        response = await hub.client.post(
            "/v1/inbound/yunfu/messages", data=token, headers={"Content-Type": "application/jose"}
        )
        body = await response.json(content_type=None)
        assert (response.status, body["errors"][0]["column"]) == (422, "登记人"), body
    assert await hub.stored() == 0


async def test_a_zhaoqing_row_without_a_registrant_number_is_refused(
    hub: Hub, departments: Departments
) -> None:
    period = label(0)
    zq = departments.zhaoqing
    report, zero = zq.rows(TOWN, period, 1)[0], zq.zero_row(TOWN, 2)
    rows = [[*row[:6], " ", *row[7:]] for row in (report, zero)]
    data = zq.monthly_csv(rows)
    headers = {"Content-Type": "text/csv", "X-Zhaoqing-Signature": zq.signature(data)}
    response = await hub.client.post(
        "/v1/inbound/zhaoqing/uploads",
        data=data,
        headers=headers,
        params={"town": TOWN, "period": period},
    )
    body = await response.json(content_type=None)
    assert response.status == 422, body
    assert [(e["row"], e.get("column")) for e in body["errors"]] == [
        (2, "登记人编号"),
        (3, "登记人编号"),
    ]
    assert await hub.stored() == 0
