"""A channel callback without a usable event id is refused, never recorded under a made-up one.

The event id is the ledger message id (``<channel>.<id>``): what makes a re-sent
callback a duplicate and other content under it a replay. Before, ``null`` became the
id ``None`` (``str(None)``), and ``""``, ``false`` or ``[]`` one id each too: the first
id-less certification of a channel was recorded under it, and every later one refused
as a replay (409) of it, or answered as its duplicate.
"""

from __future__ import annotations

from typing import Any

import pytest
from hubkit import Hub
from inboundkit import Departments

ID_FIELDS = {"gdrs_app": "eventId", "yueshengshi": "bizSeq", "yuezhizhu": "txnId",
             "ss_terminal": "serialNo"}  # fmt: skip


@pytest.mark.parametrize("event_id", [None, "", "  ", False, 17, ["GDR1"], "GDR1\n"])
async def test_a_callback_without_a_usable_event_id_is_refused_and_stores_nothing(
    hub: Hub, departments: Departments, event_id: Any
) -> None:
    for name, channel in departments.channels.items():
        body, headers = channel.signed(channel.callback() | {ID_FIELDS[name]: event_id})
        response = await hub.client.post(f"/v1/inbound/{name}/messages", data=body, headers=headers)
        answer = await response.json(content_type=None)
        assert response.status == 422, (name, answer)
        assert answer["errors"][0]["column"] == ID_FIELDS[name]
    assert await hub.stored() == 0
