"""A late roster entry under a voided termination still adds a standing imprisonment's months.

238.00 a month. Jailed on the 20th of M-4, no end stated, confirmed while the roster pays
through M-4 (task T0: suspended, nothing overpaid). A false cremation of the 3rd of M-2 is
then confirmed, the roster still paid through M-4 (task T1: terminated, nothing overpaid),
and civil affairs voids the record. The province, late to stop payment, sends an entry
paid through M0: M-3..M0 were paid to a prisoner — 4 x 238.00 = 952.00 added to T0's
overpayment (T1's voided termination recovers nothing: the person is alive). Before, a
voided termination hid the standing imprisonment from the entry: nothing added, 952.00
paid to a prisoner lost.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from procedurekit import month_day
from reversalkit import THIS_MONTH, VOIDED_IN, Scene

from certhub.hub.core.keys import STORE


async def test_a_late_entry_adds_the_prison_months_under_a_voided_termination(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene, person, number = await Scene.recorded(tmp_path)  # T1's death task opens
    office = await scene.office(aiohttp_client)
    jailed, m4 = month_day(-4, 20), f"{month_day(-4):%Y-%m}"
    await office.roster(person, paid_through=m4)
    t0 = await office.reported(person, "imprisonment", jailed)
    assert (await office.step(t0, "town-1", "in_progress"))[0] == 202
    status, body = await office.step(t0, "county-1", "confirmed", event_date=jailed.isoformat())
    assert status == 202, body
    t1 = (await scene.confirmed_deaths(office, {number: {"paid_through": m4}}))[number]
    store = office.client.app[STORE]
    assert await store.closed_benefit(number) == ("death", t1)
    assert await store.get_overpayment(t0) is None
    assert await store.get_overpayment(t1) is None
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}
    office = await scene.office(aiohttp_client)
    store = office.client.app[STORE]
    later = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    await office.roster(person, paid_through=THIS_MONTH, as_of=later)
    status, body = await office.get(f"/v1/overpayments/{t0}")
    assert status == 200, body
    assert (body["amount"], body["months"], body["remaining"]) == ("952.00", 4, "952.00")
    assert await store.counted_months(number, "recovered") == {
        f"{month_day(n):%Y-%m}" for n in (-3, -2, -1, 0)
    }
