"""Edges of a void leaving only a later report behind the termination (3ffc87f): the death
moved forward to the report's date, every month up to its month payable.

238.00 a month: civil affairs' cremation of the 3rd of M(-2) (C0) confirmed while the roster
pays through M(0) (M(-1)..M(0) = 476.00), 300.00 recovered; the city's report of the 1st of
M(0) linked; the M(-1) feed voids C0. The death month is M(0), payable: nothing is overpaid,
the balance is voided and the 300.00 recovered refunded whole (found correct).

Confirmed instead while paid through M(-2) (nothing overpaid), the report of the 8th of M(-1)
linked, C0 voided: the death moves to M(-1), payable, and the roster never paid it: the
re-signed termination states its back pay to the estate (238.00) and the task claims M(-1) as
back-paid (before: no back pay signed, M(-1) = 238.00 owed to the estate and unpaid).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from procedurekit import month_day
from reversalkit import (
    DIED,
    DIED_IN,
    THIS_MONTH,
    VOIDED_IN,
    Scene,
    outcomes,
    recovery,
    reported_then_voided,
)

from certhub.hub.core.keys import STORE


async def test_a_later_report_in_the_last_paid_month_leaves_nothing_overpaid(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """The report of the 1st of M(0): M(-1)..M(0) payable, the balance voided, 300.00 refunded."""
    scene, _, number = Scene.alone(tmp_path, DIED)
    await scene.compare(DIED_IN)
    office = await scene.office(aiohttp_client)
    tasks = await scene.confirmed_deaths(office, {number: {"paid_through": THIS_MONTH}})
    task = tasks[number]
    path = f"/v1/overpayments/{task}/recoveries"
    assert (await office.post(path, "det-1", recovery(task, "300.00")))[0] == 202
    office = await reported_then_voided(scene, office, aiohttp_client, month_day(0, 1))
    *_, in_force = await outcomes(office, "termination/v1")
    assert in_force["payload"]["event_date"] == month_day(0, 1).isoformat()
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    figures = (body["months"], body["amount"], body["recovered"], body["refunded"])
    assert figures == (2, "476.00", "300.00", "300.00"), body  # voided whole, refunded
    assert (body["status"], body["remaining"]) == ("voided", "0.00"), body
    store = office.client.app[STORE]
    assert await store.counted_months(number, "recovered") == set()


async def test_the_report_s_death_month_never_paid_is_back_paid(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """C0 confirmed while the roster pays through M(-2) (nothing overpaid, the roster then
    terminated through M(-2)); the city's report of the 8th of M(-1) linked; C0 voided: the
    termination is re-signed the 8th of M(-1) and M(-1), the death month, is payable to the
    estate (238.00) — the roster never paid it: the re-signed termination states its back pay
    and the task claims the month (before, nothing the hub signed paid it)."""
    scene, _, number = Scene.alone(tmp_path, DIED)
    await scene.compare(DIED_IN)
    office = await scene.office(aiohttp_client)
    tasks = await scene.confirmed_deaths(office, {number: {"paid_through": DIED_IN}})
    task = tasks[number]
    office = await reported_then_voided(scene, office, aiohttp_client, month_day(-1, 8))
    *_, in_force = await outcomes(office, "termination/v1")
    assert in_force["payload"]["event_date"] == month_day(-1, 8).isoformat()
    assert (await office.get(f"/v1/overpayments/{task}"))[0] == 404  # nothing overpaid
    store = office.client.app[STORE]
    assert await store.counted_months(number, "recovered") == set()
    # M(-1) = 238.00 owed to the estate: the hub signs its back pay and claims the month
    assert "back pay to the estate" in in_force["payload"]["remarks"], in_force
    assert "= 238.00" in in_force["payload"]["remarks"], in_force
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}
