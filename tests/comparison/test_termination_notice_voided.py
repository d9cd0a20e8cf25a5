"""The family's termination SMS is not sent once the termination is voided.

238.00 a month. A false cremation (civil affairs, the 3rd of M(-2)) is confirmed: the hub
terminates the benefit and queues the family's SMS (``termination:<task>``: "the pension
ended; claim the funeral grant (丧葬补助金) and the personal account's balance, and end the
insurance relationship"). It waits in the outbox (no mobile number on the roster yet, the
gateway down). Civil affairs voids the record: the termination is voided and its
restoration proposed. Before, the SMS went out when sent: the family of a living pensioner
was told to claim a funeral grant and end the insurance. Now it is withdrawn while the
restoration is under review (and once approved); the proposal rejected (the termination
stands), it goes out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reversalkit import proposed

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.delivery.notices import LoggingNoticeSender, NoticesChecked


async def test_a_voided_termination_is_not_announced(tmp_path: Path, aiohttp_client: Any) -> None:
    office, person, task, proposal = await proposed(tmp_path, aiohttp_client)
    app = office.client.app
    notice_id, number = f"termination:{task}", person["id_number"]
    logged = LoggingNoticeSender()
    sender = NoticesChecked(logged, app[STORE], app[PROCEDURE].outcomes.hub_id)
    await sender.send(notice_id, number, "终止通知")  # replayed: the termination voided
    assert logged.sent == {}
    item = int(proposal["sequence"])
    assert (await office.decide("restoration-proposals", item, "town-1", "reject"))[0] == 202
    await sender.send(notice_id, number, "终止通知")  # the termination stands
    assert list(logged.sent) == [notice_id]
    await office.client.close()
