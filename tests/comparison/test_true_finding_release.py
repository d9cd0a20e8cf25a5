"""Released after an imprisonment confirmed over a voided termination: the roster decides.

238.00 a month. A false cremation of the 3rd of M-2 is confirmed while the roster pays
through M0 (task T1: 476.00, M-1..M0); the province applies it (``terminated``, paid
through M-2); civil affairs voids the record. Jailed on the 20th of M-1, no end stated,
confirmed (task T2): suspended from then, M0 overpaid (238.00), T1 voided, M-1 paid.
Released on the 1st of M0 (M0 a prison month), staff restore the suspension back-paying
M1 (238.00) and resuming payment in M2.

While the roster still says ``terminated`` the restoration is refused
(``restoration-not-suspended``, 409, nothing stored): the hub restores only a suspension
the province's roster shows — a ``terminated`` entry may be the province's own
termination, which the hub cannot tell from its unapplied suspension. Once the province's
entry shows the hub's suspension (since the 20th of M-1, paid through M-2), the same
restoration is approved: M1 back-paid, T2's 238.00 (M0) still to recover. With T1
confirmed while paid through M-2 instead, M-1 (T2's month, payable) was never paid: back pay
of M-1 (238.00) from M1 is approved and M-1 claimed as back-paid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from procedurekit import back_paid_months, month_day
from reversalkit import DIED_IN, PROBLEM, THIS_MONTH, VOIDED_IN, Scene, confirmed_jailed
from suspensionkit import release_on

from certhub.hub.core.keys import STORE


async def test_a_roster_still_terminated_is_not_restored_on_release(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene, person, number = await Scene.recorded(tmp_path)
    t1 = (await scene.terminated(aiohttp_client, {number: {"paid_through": THIS_MONTH}}))[number]
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}
    office = await scene.office(aiohttp_client)
    store = office.client.app[STORE]
    await office.roster(person, status="terminated", paid_through=DIED_IN)  # T1 applied
    jailed = month_day(-1, 20)
    t2 = await confirmed_jailed(office, person, jailed)
    assert await store.closed_benefit(number) is None
    assert (await office.get(f"/v1/overpayments/{t1}"))[1]["status"] == "voided"
    release = await release_on(office, month_day(0, 1))
    restoration = back_paid_months(person, jailed, 1, 1, "238.00") | release  # M1, from M2

    before = (await office.ledger_size(), await store.counted_months(number, "back_paid"))
    status, body = await office.post("/v1/restorations", "town-1", restoration)
    assert (status, body["type"]) == (409, PROBLEM + "restoration-not-suspended"), body
    assert "terminated" in body["detail"], body
    assert (await office.ledger_size(), await store.counted_months(number, "back_paid")) == before

    # the province's next entry shows the hub's suspension: restored
    await office.roster(
        person, status="suspended", suspended_since=jailed.isoformat(), paid_through=DIED_IN
    )
    await office.approved("restorations", "town-1", restoration)
    m1, m_1 = f"{month_day(1):%Y-%m}", f"{month_day(-1):%Y-%m}"
    assert await store.counted_months(number, "back_paid") == {m_1, m1}  # M-1: T2's, paid
    status, body = await office.get(f"/v1/overpayments/{t2}")
    assert (body["amount"], body["remaining"], body["status"]) == ("238.00", "238.00", "pending")


async def test_the_month_the_void_left_unpaid_is_back_paid_on_release(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """T1 confirmed while paid through M-2 (nothing overpaid), applied (``terminated``,
    paid through M-2), voided; jailed on the 20th of M-1 (T2, nothing overpaid: M0 unpaid).
    M-1 is payable (the event's month) and was never paid: released on the 1st of M0, the
    province showing the hub's suspension, a restoration back-paying M-1 (238.00) from M1
    is approved and claims M-1 as back-paid (before: ``restoration-period-invalid``, back
    pay from the 20th of M-1 on, and M-1's 238.00 never paid)."""
    scene, person, number = await Scene.recorded(tmp_path)
    await scene.terminated(aiohttp_client)  # the roster paid through M-2: nothing overpaid
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}
    office = await scene.office(aiohttp_client)
    await office.roster(person, status="terminated", paid_through=DIED_IN)
    jailed = month_day(-1, 20)
    await confirmed_jailed(office, person, jailed)
    await office.roster(
        person, status="suspended", suspended_since=jailed.isoformat(), paid_through=DIED_IN
    )
    release = await release_on(office, month_day(0, 1))
    resumed = {"restore_from": month_day(1).isoformat()}
    owed = back_paid_months(person, jailed, -1, -1, "238.00", **resumed) | release
    status, body = await office.post("/v1/restorations", "town-1", owed)
    assert status == 202, body  # before: restoration-period-invalid (back pay from M-1 20th)
    item = int(body["sequence"])
    assert (await office.decide("restorations", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("restorations", item, "county-1", "approve"))[0] == 202
    store = office.client.app[STORE]
    assert await store.counted_months(number, "back_paid") == {f"{month_day(-1):%Y-%m}"}
