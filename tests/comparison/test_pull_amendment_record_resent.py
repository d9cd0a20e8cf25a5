"""An amendment's record voided, then sent again by its department (the same date).

Cremated on the 3rd of M-3 (C1, run of M-3) and confirmed while the roster paid through
M0: M-2..M0 = 714.00 (238.00 a month). A second cremation record dates the death the 3rd
of M-4 (C2, run of M-2): an amendment opens. Civil affairs voids C2 (run of M-1), then
sends C2 again, the same date (run of M0).

- The amendment approved before the void: it adds M-3 (238.00, 952.00); the void cuts M-3
  (714.00); C2 sent again opens a new amendment, approved, M-3 again: 952.00, M-3
  recovered once. Before, the void of C2 was known by (department, record id) alone: the
  new amendment was ``conflict`` at approval ("withdrawn by its department"), M-3's
  238.00 never recovered (fixed with the re-sent record of
  ``test_pull_resent_after_void.py``: a void withdraws the citations before it only).
- The amendment still under review at the void: C2 sent again is linked to the
  termination (an amendment is open) and joins the task's sources; approved, M-3 =
  238.00 more, 952.00. Before, the approval was ``conflict`` (its own report cited C2
  before the void) and the report of C2 sent again opened nothing: staff had to reject
  the amendment, and M-3's 238.00 was never recovered. Without C2 sent again the
  approval is still ``conflict``, nothing stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase, confirmed_on
from latekit import label
from procedurekit import Office, month_day
from reversalkit import amendment_approved, outcomes, refused

from certhub.hub.core.keys import STORE
from certhub.mocks.population import Population


def _case(tmp: Path, seed: int, ledger_url: str | None, *, resent: bool) -> ComparisonCase:
    """The person of ``Population(seed)``: C1, C2 and C2's void, M-3..M-1, and C2 sent
    again in M0 if ``resent``."""
    person = Population(seed=seed).person()
    number = person["id_number"]
    second = f"C2,{number},某人,,,cremation,{month_day(-4, 3).isoformat()},\n"
    feeds = {
        label(-3): f"C1,{number},某人,,,cremation,{month_day(-3, 3).isoformat()},\n",
        label(-2): second,
        label(-1): f"V2,{number},某人,,,void,{label(-1)}-02,C2\n",
    } | ({label(0): second} if resent else {})
    return ComparisonCase.prepare(tmp, [person], feeds).on_ledger(ledger_url)


async def _amendment_opened(
    tmp: Path, aiohttp_client: Any, seed: int, ledger_url: str | None, *, resent: bool = True
) -> tuple[ComparisonCase, str]:
    """:func:`_case`, C1's death confirmed while the roster paid through M0 (714.00) and
    C2's amendment opened by the run of M-2: the case and the task."""
    case = _case(tmp, seed, ledger_url, resent=resent)
    task = await confirmed_on(
        case, aiohttp_client, label(-3), month_day(-3, 3), paid_through=label(0)
    )
    assert (await case.compare(label(-2)))["reports"] == {"amendment_opened": 1}
    return case, task


async def _amount(office: Office, task: str) -> str:
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    return str(body["amount"])


async def test_an_open_amendment_whose_record_is_sent_again_after_its_void_is_approved(
    tmp_path: Path, aiohttp_client: Any, ledger_url: str | None
) -> None:
    case, t = await _amendment_opened(tmp_path, aiohttp_client, 41, ledger_url)
    number = case.person["id_number"]
    assert (await case.compare(label(-1)))["reversals"] == {"no_effect": 1}
    assert (await case.compare(label(0)))["reports"] == {"linked_to_closed": 1}
    office = await case.office(aiohttp_client)
    assert len(await outcomes(office, "termination_amendment/v1")) == 1  # C2 again: linked
    await amendment_approved(office)
    status, balance = await office.get(f"/v1/overpayments/{t}")
    assert status == 200, balance
    assert (balance["amount"], balance["months"]) == ("952.00", 4), balance
    store = office.client.app[STORE]
    assert await store.counted_months(number, "recovered") == {label(n) for n in range(-3, 1)}
    dates = [o["payload"]["event_date"] for o in await outcomes(office, "termination/v1")]
    assert dates == [month_day(-3, 3).isoformat(), month_day(-4, 3).isoformat()]
    await office.client.close()


async def test_an_amendment_record_sent_again_after_its_void_moves_the_death_back_again(
    tmp_path: Path, aiohttp_client: Any, ledger_url: str | None
) -> None:
    case, t = await _amendment_opened(tmp_path, aiohttp_client, 37, ledger_url)
    number = case.person["id_number"]
    office = await case.office(aiohttp_client)
    assert await _amount(office, t) == "714.00"
    await amendment_approved(office)
    assert await _amount(office, t) == "952.00"
    await office.client.close()
    assert (await case.compare(label(-1)))["reversals"] == {"no_effect": 1}
    office = await case.office(aiohttp_client)
    assert await _amount(office, t) == "714.00"
    await office.client.close()
    assert (await case.compare(label(0)))["reports"] == {"amendment_opened": 1}
    office = await case.office(aiohttp_client)
    await amendment_approved(office)
    assert await _amount(office, t) == "952.00"
    store = office.client.app[STORE]
    assert await store.counted_months(number, "recovered") == {label(n) for n in range(-3, 1)}
    dates = [o["payload"]["event_date"] for o in await outcomes(office, "termination/v1")]
    assert dates == [
        month_day(-3, 3).isoformat(),
        month_day(-4, 3).isoformat(),
        month_day(-3, 3).isoformat(),
        month_day(-4, 3).isoformat(),
    ]
    await office.client.close()


async def test_an_open_amendment_whose_record_stays_withdrawn_is_refused(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """The same without C2 sent again: ``conflict``, nothing stored (as before)."""
    case, _ = await _amendment_opened(tmp_path, aiohttp_client, 41, None, resent=False)
    await case.compare(label(-1))
    office = await case.office(aiohttp_client)
    (amendment,) = await outcomes(office, "termination_amendment/v1")
    item = amendment["sequence"]
    assert (await office.decide("termination-amendments", item, "town-1", "accept"))[0] == 202
    approve = office.decide("termination-amendments", item, "county-1", "approve")
    await refused(office, approve, 409, "conflict")
    await office.client.close()
