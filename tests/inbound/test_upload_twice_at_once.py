"""The same monthly file uploaded twice at once: each row is accepted once, a duplicate once.

Before, each upload looked every row up before recording it; both found nothing, and
both answered "accepted" for rows the ledger holds once (a town told its file was
recorded twice).
"""

from __future__ import annotations

import asyncio

from hubkit import Hub
from inboundkit import Departments
from latekit import label

TOWN = "441202101"


async def test_the_same_upload_twice_at_once_accepts_each_row_once(
    hub: Hub, departments: Departments
) -> None:
    period = label(0)
    zq = departments.zhaoqing
    data = zq.monthly_csv(zq.rows(TOWN, period, 20))
    headers = {"Content-Type": "text/csv", "X-Zhaoqing-Signature": zq.signature(data)}

    async def upload() -> dict[str, int]:
        response = await hub.client.post(
            "/v1/inbound/zhaoqing/uploads",
            data=data,
            headers=headers,
            params={"town": TOWN, "period": period},
        )
        assert response.status == 200
        body = await response.json()
        return {k: body[k] for k in ("accepted", "duplicate", "rejected")}

    first, second = await asyncio.gather(upload(), upload())
    stored = await hub.stored()  # the rows dated this month up to today
    assert stored > 0
    assert first["accepted"] + second["accepted"] == stored
    assert first["duplicate"] + second["duplicate"] == stored
    assert first["rejected"] == second["rejected"] == 20 - stored  # dated after today
