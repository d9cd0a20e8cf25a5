"""An amendment whose record was withdrawn, then the same earlier date reported by the city:
the month cut is recovered again, what was refunded of it owed again — never twice.

238.00 a month, as in test_amendment_record_withdrawn: the 3rd of M(-2) confirmed while paid
through M(0) (476.00); C1's amendment to the 3rd of M(-3) approved (M(-2) = 238.00 more,
714.00), 714.00 recovered; the M(0) feed voids C1: the death moved back, M(-2) cut, 238.00
refunded (476.00 kept). The city then reports the death on the 3rd of M(-3) (approved at
two levels): a second amendment, approved: the termination dated the 3rd of M(-3) again and
M(-2) overpaid again: 714.00, 476.00 of it recovered (the 238.00 was refunded), 238.00 to
recover; M(-2)..M(0) counted as recovered once each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amendmentkit import amended_by_death_report, amendment_opened, approved_and_recovered
from reversalkit import DIED, DIED_IN, EARLIER, THIS_MONTH, VOIDED_IN, outcomes

from certhub.hub.core.keys import STORE


async def test_the_withdrawn_date_reported_again_recovers_the_month_once_more(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    case, task = await amendment_opened(tmp_path, aiohttp_client, seed=29)
    await approved_and_recovered(case, aiohttp_client, task, "714.00")
    assert (await case.compare(THIS_MONTH))["reversals"] == {"no_effect": 1}
    office = await case.office(aiohttp_client)
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (body["amount"], body["recovered"], body["refunded"]) == ("476.00", "476.00", "238.00")
    await amended_by_death_report(office, case.person, EARLIER)
    assert len(await outcomes(office, "termination_amendment/v1")) == 2  # a second one
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    figures = (body["months"], body["amount"], body["recovered"], body["refunded"])
    assert figures == (3, "714.00", "476.00", "238.00")
    assert (body["remaining"], body["status"]) == ("238.00", "partially_recovered")
    store = office.client.app[STORE]
    number = case.person["id_number"]
    assert await store.counted_months(number, "recovered") == {DIED_IN, VOIDED_IN, THIS_MONTH}
    dates = [t["payload"]["event_date"] for t in await outcomes(office, "termination/v1")]
    assert dates == [DIED.isoformat(), EARLIER.isoformat()] * 2
