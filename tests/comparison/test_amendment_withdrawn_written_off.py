"""An approved amendment's record withdrawn after the balance was written off: the month cut
was never recovered, so nothing is refunded, and what is left stays written off.

238.00 a month, as in test_amendment_record_withdrawn: the 3rd of M(-2) confirmed while paid
through M(0) (476.00); C1's amendment to the 3rd of M(-3) approved (M(-2) = 238.00 more,
714.00); 300.00 recovered, the other 414.00 written off (approved). The M(0) feed voids C1:
M(-2) cut (months are recovered in the order signed: the 300.00 was taken of M(-1)..M(0)),
476.00 left, 300.00 of it recovered, 176.00 written off, nothing refunded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amendmentkit import amendment_opened
from procedurekit import write_off
from reversalkit import THIS_MONTH, VOIDED_IN, amendment_approved, recovery

from certhub.hub.core.keys import STORE


async def test_a_written_off_balance_cut_refunds_nothing_and_stays_written_off(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    case, task = await amendment_opened(tmp_path, aiohttp_client, seed=29)
    office = await case.office(aiohttp_client)
    await amendment_approved(office)
    path = f"/v1/overpayments/{task}"
    assert (await office.post(f"{path}/recoveries", "det-1", recovery(task, "300.00")))[0] == 202
    await office.approved("write-offs", "det-1", write_off(task, "414.00"), f"{path}/write-offs")
    status, body = await office.get(path)
    assert (body["amount"], body["written_off"], body["status"]) == (
        "714.00",
        "414.00",
        "written_off",
    )
    await office.client.close()
    assert (await case.compare(THIS_MONTH))["reversals"] == {"no_effect": 1}
    office = await case.office(aiohttp_client)
    status, body = await office.get(path)
    assert status == 200, body
    figures = (body["months"], body["amount"], body["recovered"], body["refunded"])
    assert figures == (2, "476.00", "300.00", "0.00"), body
    assert (body["written_off"], body["remaining"], body["status"]) == (
        "176.00", "0.00", "written_off"
    ), body  # fmt: skip
    number = case.person["id_number"]
    store = office.client.app[STORE]
    assert await store.counted_months(number, "recovered") == {VOIDED_IN, THIS_MONTH}
