"""A true death after a voided false death, then dated earlier still: every month paid is
recovered once.

238.00 a month. T1, a false cremation of the 3rd of M-2, confirmed while paid through M0
(476.00, M-1..M0); the province applies it (terminated, paid through M-2); voided. T2, a
death of the 20th of M-1, confirmed: M0 = 238.00 (M-1 counted as paid, T1 having counted
it). A report dating the death the 5th of M-4 is approved and opens an amendment of T2;
approved: M-3..M-1 = 714.00 more (M-3..M-2 paid through the roster, M-1 paid as T1 counted
it), 952.00 in all — M-1 is not lost with T1's voided records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from procedurekit import month_day
from reversalkit import DIED, THIS_MONTH, death_reported, outcomes

from certhub.hub.core.keys import STORE

from .test_true_death_after_void import _balance, _confirmed, _voided


async def test_an_amendment_of_the_true_death_recovers_what_t1_counted(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, t1, _ = await _voided(tmp_path, aiohttp_client)
    await office.roster(person, status="terminated", paid_through=DIED.strftime("%Y-%m"))
    t2 = await _confirmed(office, person, month_day(-1, 20), t1)
    assert await _balance(office, t2) == ("238.00", "0.00", "238.00", "0.00", "pending")
    await death_reported(office, person, month_day(-4, 5))
    (amendment,) = await outcomes(office, "termination_amendment/v1")
    assert amendment["payload"]["task_id"] == t2
    item = int(amendment["sequence"])
    assert (await office.decide("termination-amendments", item, "town-1", "accept"))[0] == 202
    status, body = await office.decide("termination-amendments", item, "county-1", "approve")
    assert status == 202, body
    assert await _balance(office, t2) == ("952.00", "0.00", "952.00", "0.00", "pending")
    months = {f"{month_day(n):%Y-%m}" for n in (-3, -2, -1, 0)}
    assert await office.client.app[STORE].counted_months(person["id_number"], "recovered") == (
        months
    )
    assert THIS_MONTH in months
