"""The event month of a finding over a voided termination: back-paid once, or refused.

238.00 a month. A false cremation of the 3rd of M-2 is confirmed (T1), applied by the
province (``terminated``, paid through M-2), then voided by civil affairs; the person is
found on the 20th of M-1 (T2) and the province's entry shows the hub's suspension, since the
20th of M-1. M-1 is the finding's event month, payable (the disposal recovers only the
months after it).

* T1 confirmed while paid through M-2, the person missing from the 20th of M-1 and found:
  M-1 never paid, M0 a month missing (owed) — back pay of M-1..M0 (476.00) from M1 is
  approved and both months claimed as back-paid (before: ``restoration-period-invalid``,
  M-1's 238.00 never paid).
* T1 confirmed while paid through M0 (476.00), jailed on the 20th of M-1: M-1 was paid, and
  T2 claimed it as paid; released on the 1st of M0, back pay of M-1 (238.00) from M1 is
  ``restoration-period-invalid`` (422), nothing stored — as before.
* no voided termination: jailed on the 20th of M-1 confirmed while paid through M-1 (the
  entry paid through M-1): back pay of M-1 is ``restoration-period-invalid`` — as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from procedurekit import Office, back_paid_months, evidence_payloads, month_day
from reversalkit import DIED, DIED_IN, PROBLEM, THIS_MONTH, VOIDED_IN, Scene, confirmed_jailed

from certhub.hub.core.keys import STORE


def _m_1() -> str:
    return f"{month_day(-1):%Y-%m}"


async def voided_then_found(
    tmp_path: Path, aiohttp_client: Any, paid_through: str, reason: str
) -> tuple[Office, dict[str, Any], str]:
    """T1 confirmed while the roster paid through ``paid_through``, applied and voided; a
    ``reason`` task of the 20th of M-1 confirmed; the province's entry showing the hub's
    suspension (since then, paid through M-2): the office, the person, their number."""
    scene, person, number = await Scene.recorded(tmp_path)
    await scene.terminated(aiohttp_client, {number: {"paid_through": paid_through}})
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}
    office = await scene.office(aiohttp_client)
    await office.roster(person, status="terminated", paid_through=DIED_IN)  # T1 applied
    if reason == "imprisonment":
        await confirmed_jailed(office, person, month_day(-1, 20))
    else:
        task = str(
            (await office.reported_death(person, month_day(-1, 20), reason=reason))["task_id"]
        )
        assert (await office.step(task, "town-1", "in_progress"))[0] == 202
        status, body = await office.step(
            task, "county-1", "confirmed", event_date=str(month_day(-1, 20))
        )
        assert status == 202, body
    await office.roster(
        person,
        status="suspended",
        suspended_since=month_day(-1, 20).isoformat(),
        paid_through=DIED_IN,
    )
    return office, person, number


async def release(office: Office) -> dict[str, Any]:
    """Released on the 1st of M0, with the court's document."""
    digest = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    evidence = {"sha256": digest, "kind": "court_judgment", "media_type": "application/pdf"}
    return {"released_on": month_day(0, 1).isoformat(), "release_evidence": evidence}


async def refused_period(office: Office, number: str, restoration: dict[str, Any]) -> None:
    """``restoration`` is ``restoration-period-invalid`` (422) and nothing is stored."""
    store = office.client.app[STORE]
    before = (await office.ledger_size(), await store.counted_months(number, "back_paid"))
    status, body = await office.post("/v1/restorations", "town-1", restoration)
    assert (status, body["type"]) == (422, PROBLEM + "restoration-period-invalid"), body
    assert (await office.ledger_size(), await store.counted_months(number, "back_paid")) == before


async def test_a_person_found_is_back_paid_the_disappearance_s_month(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, number = await voided_then_found(tmp_path, aiohttp_client, DIED_IN, "missing")
    found = back_paid_months(person, month_day(-1, 20), -1, 0, "476.00")  # M-1..M0, from M1
    await office.approved("restorations", "town-1", found)
    assert await office.client.app[STORE].counted_months(number, "back_paid") == {
        _m_1(),
        THIS_MONTH,
    }


async def test_the_event_month_paid_before_the_void_is_not_back_paid_again(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    args = (tmp_path, aiohttp_client, THIS_MONTH, "imprisonment")
    office, person, number = await voided_then_found(*args)
    store = office.client.app[STORE]
    assert await store.counted_months(number, "back_paid") == {_m_1()}  # T2's: paid
    owed = back_paid_months(
        person, month_day(-1, 20), -1, -1, "238.00", restore_from=str(month_day(1))
    )
    await refused_period(office, number, owed | await release(office))


async def test_the_event_month_the_roster_paid_is_not_back_paid(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene, person, number = Scene.alone(tmp_path, DIED)
    office = await scene.office(aiohttp_client)
    await office.roster(person, paid_through=_m_1())
    await confirmed_jailed(office, person, month_day(-1, 20))
    await office.roster(
        person,
        status="suspended",
        suspended_since=month_day(-1, 20).isoformat(),
        paid_through=_m_1(),
    )
    owed = back_paid_months(
        person, month_day(-1, 20), -1, -1, "238.00", restore_from=str(month_day(1))
    )
    await refused_period(office, number, owed | await release(office))
