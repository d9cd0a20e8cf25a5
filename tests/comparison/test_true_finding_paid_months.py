"""The months a voided termination counted that the true finding does not owe stay paid.

238.00 a month. A false cremation of the 3rd of M-2 is confirmed while the roster pays
through M0 (task T1: 476.00, M-1..M0); the province applies it (paid through M-2 from then
on); civil affairs voids the record. An imprisonment (task T2) is then confirmed: T1 is
voided and T2 recovers the prison months it finds paid. The months T1 counted that T2 does
not owe were paid all the same (the roster paid through M0 when T1 counted them) and are
payable: they are claimed as paid by T2 (``back_paid`` under the task), so no restoration
back-pays them again.

* Jailed on the 20th of M-1, no end stated, the province having applied T1 as a suspension
  (since the 3rd of M-2): T2 recovers M0 (238.00); M-1 is paid and payable. Released on the
  1st of M0, staff restore the province's suspension back-paying M-1: before, approved —
  M-1 paid twice (238.00 out again); now ``months-already-counted`` (409, nothing stored).
* Jailed on the 20th of M-3 until the 10th of M-2, the province having applied T1 as a
  termination: T2 recovers M-2 (238.00); M-1..M0 are paid after the sentence's end. Once
  the province shows the hub's suspension (since the 20th of M-3, paid through M-2), staff
  restore it back-paying M-1..M0: before, approved — 476.00 paid twice; now refused.
* A death of the 20th of M-1 instead (238.00, M0; M-1 claimed as paid), amended to the 3rd
  of M-3: 714.00 (M-2..M0); before, M-1 read as unpaid — 476.00, M-1's 238.00 lost.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from procedurekit import Office, back_paid_months, month_day
from reversalkit import (
    DIED,
    DIED_IN,
    THIS_MONTH,
    confirmed_jailed,
    proposed,
    refused,
    report_approved,
)
from suspensionkit import release_on

from certhub.hub.core.keys import STORE


def _m1() -> str:
    return f"{month_day(-1):%Y-%m}"


def _m2() -> str:
    return f"{month_day(-2):%Y-%m}"


async def _balance(office: Office, task: str) -> tuple[str, str, str]:
    """(amount, remaining, status) of ``task``'s overpayment."""
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    return body["amount"], body["remaining"], body["status"]


async def _refused(office: Office, restoration: dict[str, Any]) -> None:
    """Staff's ``restoration`` is ``months-already-counted`` (409), nothing stored, no month
    back-paid more."""
    number, store = restoration["person"]["id_number"], office.client.app[STORE]
    back_paid = await store.counted_months(number, "back_paid")
    filed = office.post("/v1/restorations", "town-1", restoration)
    await refused(office, filed, 409, "months-already-counted")
    assert await store.counted_months(number, "back_paid") == back_paid


async def test_released_after_a_voided_suspension_a_paid_month_is_not_back_paid_again(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    # T1 confirmed while paid through M0 (476.00, M-1..M0), then voided
    office, person, t1, _ = await proposed(tmp_path, aiohttp_client, THIS_MONTH)
    # the province applied T1 as a suspension: since the 3rd of M-2, paid through M-2
    await office.roster(
        person, status="suspended", suspended_since=DIED.isoformat(), paid_through=DIED_IN
    )
    store, number = office.client.app[STORE], person["id_number"]
    t2 = await confirmed_jailed(office, person, month_day(-1, 20))
    assert await _balance(office, t1) == ("476.00", "0.00", "voided")
    assert await _balance(office, t2) == ("238.00", "238.00", "pending")  # M0, a prison month
    assert await store.counted_months(number, "recovered") == {THIS_MONTH}
    assert await store.counted_months(number, "back_paid") == {_m1()}  # paid, payable: T2's
    release = await release_on(office, month_day(0, 1))
    # M-1 back-paid (238.00), payment resumed in M1 (M0 was a prison month)
    resumed = {"restore_from": month_day(1).isoformat()}
    await _refused(office, back_paid_months(person, DIED, -1, -1, "238.00", **resumed) | release)


async def test_a_sentence_served_before_the_voided_months_leaves_them_paid(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    # T1 confirmed while paid through M0 (476.00, M-1..M0), then voided
    office, person, t1, _ = await proposed(tmp_path, aiohttp_client, THIS_MONTH)
    await office.roster(person, status="terminated", paid_through=DIED_IN)  # T1 applied
    store, number = office.client.app[STORE], person["id_number"]
    jailed = month_day(-3, 20)
    t2 = await confirmed_jailed(office, person, jailed, until=month_day(-2, 10))
    assert await _balance(office, t1) == ("476.00", "0.00", "voided")
    assert await _balance(office, t2) == ("238.00", "238.00", "pending")  # M-2 in prison
    assert await store.counted_months(number, "recovered") == {_m2()}
    assert await store.counted_months(number, "back_paid") == {_m1(), THIS_MONTH}
    # the province shows the hub's suspension; M-1..M0 back-paid (476.00), resumed in M1
    await office.roster(
        person, status="suspended", suspended_since=jailed.isoformat(), paid_through=DIED_IN
    )
    await _refused(office, back_paid_months(person, jailed, -1, 0, "476.00"))


async def test_a_true_death_amended_earlier_recovers_the_months_the_void_left_paid(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """T1 applied (terminated, paid through M-2), voided; a death of the 20th of M-1
    confirmed (T2): 238.00 (M0), M-1 claimed as paid. The city's report dating the death
    the 3rd of M-3 is approved and its amendment approved: M-2..M-1 were paid too — T2
    recovers 714.00 (M-2..M0). Before, M-1 (paid before T1, the roster rewritten since)
    was read as unpaid: 476.00, M-1's 238.00 lost."""
    office, person, _, _ = await proposed(tmp_path, aiohttp_client, THIS_MONTH)
    await office.roster(person, status="terminated", paid_through=DIED_IN)
    store, number, died = office.client.app[STORE], person["id_number"], month_day(-1, 20)
    t2 = str((await office.reported_death(person, died))["task_id"])
    status, body = await office.step(t2, "county-1", "confirmed", event_date=died.isoformat())
    assert status == 202, body
    assert await _balance(office, t2) == ("238.00", "238.00", "pending")
    assert await store.counted_months(number, "back_paid") == {_m1()}
    item = (await report_approved(office, person, month_day(-3, 3)))["sequence"]
    assert (await office.decide("termination-amendments", item, "town-1", "accept"))[0] == 202
    status, body = await office.decide("termination-amendments", item, "county-1", "approve")
    assert status == 202, body
    assert await _balance(office, t2) == ("714.00", "714.00", "pending")  # 3 x 238.00
    assert await store.counted_months(number, "recovered") == {_m2(), _m1(), THIS_MONTH}
