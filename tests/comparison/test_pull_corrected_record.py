"""A department corrects its record: the old one voided, a new one dating the death earlier.

Cremated on the 3rd of M-3 (C1, run of M-3) and confirmed while the roster paid through
M0: M-2..M0 = 714.00 (238.00 a month). Next month civil affairs voids C1 and records the
cremation again as C9, the 3rd of M-4: C9 opens an amendment, the void of C1 voids the
termination (its restoration proposed, held by the amendment under review). The amendment
approved, the termination rests on C9: M-3..M0 = 952.00, each month once, and the
proposal is ``restoration-not-suspended`` (409, nothing stored). Found correct.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase, confirmed_on
from latekit import label
from procedurekit import month_day
from reversalkit import PROBLEM, outcomes

from certhub.hub.core.keys import STORE
from certhub.mocks.population import Population


async def test_a_record_voided_and_recorded_again_earlier_moves_the_death_once(
    tmp_path: Path, aiohttp_client: Any, ledger_url: str | None
) -> None:
    person = Population(seed=43).person()
    number = person["id_number"]
    feeds = {
        label(-3): f"C1,{number},某人,,,cremation,{month_day(-3, 3).isoformat()},\n",
        label(-2): f"V1,{number},某人,,,void,{label(-2)}-02,C1\n"
        f"C9,{number},某人,,,cremation,{month_day(-4, 3).isoformat()},\n",
    }
    case = ComparisonCase.prepare(tmp_path, [person], feeds).on_ledger(ledger_url)
    t = await confirmed_on(case, aiohttp_client, label(-3), month_day(-3, 3), paid_through=label(0))
    ledger = await case.compare(label(-2))
    assert (ledger["reports"], ledger["reversals"]) == (
        {"amendment_opened": 1}, {"restoration_proposed": 1}
    )  # fmt: skip
    office = await case.office(aiohttp_client)
    (amendment,) = await outcomes(office, "termination_amendment/v1")
    item = amendment["sequence"]
    assert (await office.decide("termination-amendments", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("termination-amendments", item, "county-1", "approve"))[0] == 202
    status, balance = await office.get(f"/v1/overpayments/{t}")
    assert (balance["amount"], balance["months"]) == ("952.00", 4), balance
    store = office.client.app[STORE]
    assert await store.counted_months(number, "recovered") == {label(n) for n in range(-3, 1)}
    (proposal,) = await outcomes(office, "restoration_proposal/v1")
    before = await office.ledger_size()
    status, body = await office.decide(
        "restoration-proposals", proposal["sequence"], "town-1", "accept"
    )
    assert (status, body["type"]) == (409, PROBLEM + "restoration-not-suspended"), body
    assert await office.ledger_size() == before
    assert await store.closed_benefit(number) == ("death", t)
    await office.client.close()
