"""Two Yunfu reports whose long message ids share their first 122 characters are two reports.

The ledger id of a Yunfu push is ``yunfu.<jti>``; the wire contract allows a ``jti`` of
128 characters, the ledger's ids hold 128. Before, the id was cut to 128 characters,
so two pushes whose ids differ in their last six were one id: the second report was
refused as a replay of the first (409), or answered as its duplicate.
"""

from __future__ import annotations

from hubkit import Hub
from inboundkit import Departments

JOSE = {"Content-Type": "application/jose"}


async def test_long_ids_differing_at_their_end_are_two_reports(
    hub: Hub, departments: Departments
) -> None:
    yunfu = departments.yunfu
    for serial in ("000001", "000002"):
        token = yunfu.sign(yunfu.report(事由="死亡"), jti="Y" * 122 + serial)
        response = await hub.client.post("/v1/inbound/yunfu/messages", data=token, headers=JOSE)
        body = await response.json(content_type=None)
        assert (response.status, body.get("duplicate")) == (202, False), body
    assert await hub.stored() == 2
