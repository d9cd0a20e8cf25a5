"""A pensioner whose voided termination the hub's proposal restored is certified (免办) again.

A false cremation of the 3rd of M(-2) is confirmed (the roster paid through M(0): nothing
to back-pay) and voided; the hub's restoration proposal is approved, lifting the closure and
resuming payment in M(0). Seen alive in M(0) (a medical visit), the person is certified.
Before, the ledger held them back for ever as ``task_confirmed``: the resumption is claimed
in the very transaction that re-signs the terminating task, so its sequence was not *after*
the task's change — never certified by the comparison again, overdue in time and proposed
for suspension while seen alive every month. SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import clock_past_noon
from procedurekit import month_day
from reversalkit import DIED_IN, THIS_MONTH, Scene, approved

from certhub.hub.comparison.certify import message_id
from certhub.hub.core.keys import STORE


async def test_restored_by_the_proposal_and_seen_alive_is_certified(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    scene = Scene.alone(tmp_path)[0].on_ledger(ledger_url)
    number = scene.person["id_number"]
    await scene.compare(DIED_IN)
    task = (await scene.terminated(aiohttp_client, {number: {"paid_through": THIS_MONTH}}))[number]
    office, items = await scene.voided(aiohttp_client)  # the restoration proposed
    status, body = await approved(office, items[number])
    assert status == 202, body
    store = office.client.app[STORE]
    assert await store.closed_benefit(number) is None
    assert await store.certification_holds([number]) == {}, task
    await office.client.close()
    seen = f"H1,{number},某人,,,medical_visit,{THIS_MONTH}-01,\n"
    with clock_past_noon(month_day(0)):  # the visit's noon (see clock_past_noon)
        ledger = await scene.compare_health(THIS_MONTH, seen)
    assert (ledger["recorded"], ledger["withheld"]) == (1, {}), ledger
    office = await scene.office(aiohttp_client)
    certified = await office.client.app[STORE].find(
        "adapter:comparison", message_id(THIS_MONTH, number)
    )
    await office.client.close()
    assert certified is not None
