"""Both records of an amended death withdrawn in one feed: everything recovered refunded once.

238.00 a month, as in test_amendment_record_withdrawn: civil affairs' cremation of the 3rd
of M(-2) (C0) confirmed while paid through M(0) (476.00); C1 (the 3rd of M(-3)) opens an
amendment, approved at two levels (M(-2) = 238.00 more, 714.00), all 714.00 recovered. The
M(0) feed voids C1 and C0, in either order: one void is ``no_effect``, the other proposes
restoring the termination; approved, the overpayment is voided and the 714.00 refunded —
no more (no month refunded both by the cut of the amendment's month and by the void), no
less — and no month is left counted as recovered; M(-2)..M(0) are claimed as paid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from amendmentkit import amendment_opened, approved_and_recovered
from reversalkit import DIED_IN, THIS_MONTH, VOIDED_IN, approved, proposals

from certhub.hub.core.keys import STORE


@pytest.mark.parametrize("first", ["C1", "C0"])
async def test_both_records_withdrawn_refund_what_was_recovered_once(
    tmp_path: Path, aiohttp_client: Any, first: str
) -> None:
    second = "C0" if first == "C1" else "C1"
    case, task = await amendment_opened(tmp_path, aiohttp_client, seed=29, voided=(first, second))
    number = case.person["id_number"]
    await approved_and_recovered(case, aiohttp_client, task, "714.00")
    ran = await case.compare(THIS_MONTH)
    assert ran["reversals"] == {"no_effect": 1, "restoration_proposed": 1}
    office = await case.office(aiohttp_client)
    proposal = (await proposals(office))[number]
    assert (await approved(office, proposal["sequence"]))[0] == 202
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    figures = (body["amount"], body["recovered"], body["refunded"], body["status"])
    assert figures == ("714.00", "714.00", "714.00", "voided")
    store = office.client.app[STORE]
    assert await store.counted_months(number, "recovered") == set()
    assert await store.counted_months(number, "back_paid") == {DIED_IN, VOIDED_IN, THIS_MONTH}
