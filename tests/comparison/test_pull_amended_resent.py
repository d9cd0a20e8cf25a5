"""An amendment's record voided, then sent again by its department: the death moved back once more.

Cremated on the 3rd of M-3 (C1, run of M-3) and confirmed while the roster paid through
M0: M-2..M0 = 714.00 (238.00 a month). A second cremation record dates the death the 3rd
of M-4 (C2, run of M-2): the amendment approved adds M-3 (238.00, 952.00). Civil affairs
voids C2 (run of M-1): M-3 is cut, 714.00. Then it sends C2 again (run of M0): a new
amendment, approved, adds M-3 again: 952.00, M-3 recovered once.

Before, the void of C2 was known by (department, record id) alone: the amendment on the
record sent again was ``conflict`` at approval ("withdrawn by its department"), M-3's
238.00 never recovered. Fixed with the re-sent record of
``test_pull_resent_after_void.py`` (a void withdraws the citations before it only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase, confirmed_death
from procedurekit import Office, month_day
from reversalkit import amendment_approved, outcomes

from certhub.hub.core.keys import STORE
from certhub.mocks.population import Population

M = {n: f"{month_day(n):%Y-%m}" for n in range(-4, 1)}
DIED, EARLIER = month_day(-3, 3), month_day(-4, 3)


async def _amount(office: Office, task: str) -> str:
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    return str(body["amount"])


async def test_an_amendment_record_sent_again_after_its_void_moves_the_death_back_again(
    tmp_path: Path, aiohttp_client: Any, ledger_url: str | None
) -> None:
    person = Population(seed=37).person()
    number = person["id_number"]
    second = f"C2,{number},某人,,,cremation,{EARLIER.isoformat()},\n"
    feeds = {
        M[-3]: f"C1,{number},某人,,,cremation,{DIED.isoformat()},\n",
        M[-2]: second,
        M[-1]: f"V2,{number},某人,,,void,{M[-1]}-02,C2\n",
        M[0]: second,
    }
    case = ComparisonCase.prepare(tmp_path, [person], feeds).on_ledger(ledger_url)
    await case.compare(M[-3])
    office = await case.office(aiohttp_client)
    await office.roster(person, paid_through=M[0])
    t = await confirmed_death(office, DIED)
    assert await _amount(office, t) == "714.00"
    await office.client.close()
    assert (await case.compare(M[-2]))["reports"] == {"amendment_opened": 1}
    office = await case.office(aiohttp_client)
    await amendment_approved(office)
    assert await _amount(office, t) == "952.00"
    await office.client.close()
    assert (await case.compare(M[-1]))["reversals"] == {"no_effect": 1}
    office = await case.office(aiohttp_client)
    assert await _amount(office, t) == "714.00"
    await office.client.close()
    assert (await case.compare(M[0]))["reports"] == {"amendment_opened": 1}
    office = await case.office(aiohttp_client)
    await amendment_approved(office)
    assert await _amount(office, t) == "952.00"
    store = office.client.app[STORE]
    assert await store.counted_months(number, "recovered") == {M[-3], M[-2], M[-1], M[0]}
    dates = [o["payload"]["event_date"] for o in await outcomes(office, "termination/v1")]
    assert dates == [DIED.isoformat(), EARLIER.isoformat(), DIED.isoformat(), EARLIER.isoformat()]
    await office.client.close()
