"""A missing person found dead, the death then withdrawn by its department: the person is
missing again, and the months the disappearance counted owe again. SQLite and PostgreSQL.

238.00 a month, paid through M(-1). Missing since the 2nd of M(-6), confirmed:
M(-5)..M(-1) = 1,190.00 overpaid, 476.00 recovered. Civil affairs records a cremation of
the 3rd of M(-2) (the M(-2) comparison), confirmed: the disappearance's 1,190.00 voided
(476.00 refunded: the person was alive through M(-2)), the death's M(-1) = 238.00. Civil
affairs voids the cremation (the M(-1) comparison): the termination is voided and a
restoration proposed — refused while the disappearance stands
(``restoration-finding-confirmed``). The person is missing again: M(-5)..M(-2) = 952.00 owe
again under the disappearance (opened again, nothing recovered: the 476.00 was refunded),
M(-1) stays the death's — 1,190.00 in all, as before the death. Before the fix the
disappearance stayed voided: 952.00 paid to a missing person recovered by no one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from procedurekit import month_day
from releasekit import balance, label, recovered
from reversalkit import DIED_IN, PROBLEM, Scene
from suspensionkit import confirmed

from certhub.hub.core.keys import STORE


async def test_a_death_withdrawn_after_a_disappearance_leaves_its_months_owing(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    scene = Scene.alone(tmp_path)[0].on_ledger(ledger_url)
    person, number = scene.person, scene.person["id_number"]
    await scene.compare(DIED_IN)  # the cremation: a death task open
    office = await scene.office(aiohttp_client)
    await office.roster(person, paid_through=label(-1))
    missing = await confirmed(office, person, "missing", month_day(-6, 2))
    assert (await recovered(office, missing, "476.00", "BR-7"))[0] == 202
    death = (await scene.confirmed_deaths(office, {number: {"paid_through": label(-1)}}))[number]
    assert await balance(office, missing) == (5, "1190.00", "476.00", "0.00", "voided")
    assert await balance(office, death) == (1, "238.00", "0.00", "238.00", "pending")
    await office.client.close()

    office, items = await scene.voided(aiohttp_client)
    assert await balance(office, missing) == (4, "952.00", "0.00", "952.00", "pending")
    status, body = await office.get(f"/v1/overpayments/{missing}", "county-1")
    assert (status, body["refunded"]) == (200, "476.00"), body
    assert await balance(office, death) == (1, "238.00", "0.00", "238.00", "pending")
    status, body = await office.decide("restoration-proposals", items[number], "town-1", "accept")
    assert (status, body["type"]) == (409, f"{PROBLEM}restoration-finding-confirmed"), body
    await office.client.close()


async def test_then_found_dead_again_the_months_alive_are_owed_again(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    """As above, then the city reports the true death, the 15th of M(-3), confirmed over
    the voided termination: M(-5)..M(-3) (alive) come off the disappearance's 952.00, which
    keeps M(-2) = 238.00; the true death recovers M(-1) = 238.00 (the voided termination's
    voided): 476.00 in all, each month once. Before (the disappearance opened again alone)
    the 952.00 stood: 714.00 of months the person was alive recovered."""
    scene = Scene.alone(tmp_path)[0].on_ledger(ledger_url)
    person, number = scene.person, scene.person["id_number"]
    await scene.compare(DIED_IN)
    office = await scene.office(aiohttp_client)
    await office.roster(person, paid_through=label(-1))
    missing = await confirmed(office, person, "missing", month_day(-6, 2))
    death = (await scene.confirmed_deaths(office, {number: {"paid_through": label(-1)}}))[number]
    await office.client.close()
    office, _ = await scene.voided(aiohttp_client)
    assert await balance(office, missing) == (4, "952.00", "0.00", "952.00", "pending")

    true = await office.confirmed_death(person, month_day(-3, 15))
    assert await balance(office, missing) == (1, "238.00", "0.00", "238.00", "pending")
    assert await balance(office, true) == (1, "238.00", "0.00", "238.00", "pending")
    assert await balance(office, death) == (1, "238.00", "0.00", "0.00", "voided")
    recovered_months = await office.client.app[STORE].counted_months(number, "recovered")
    assert recovered_months == {label(-2), label(-1)}
    await office.client.close()
