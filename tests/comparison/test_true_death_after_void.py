"""A true death confirmed after the hub's termination was voided takes the closure.

A false cremation record dated the 3rd of M-2 is confirmed by task T1 while the roster
pays through this month (M0): T1 terminates and recovers M-1..M0 = 476.00 (238.00 a
month). Civil affairs voids the record (the hub proposes the restoration). A death report
is then approved (task T2) and T2 confirmed: T2 is the closure, its overpayment counted
from its own date, T1's voided (what it recovered refunded), and T1's proposal can restore
nothing. Dated the 20th of M-1, T2 recovers M0 only (238.00: M-1 was payable); dated the
3rd of M-3, M-2..M0 (714.00). An imprisonment (a disappearance) of the 20th of M-1
confirmed instead suspends from then: M0 overpaid (238.00), no closure, T1 voided.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from procedurekit import Office, month_day
from reversalkit import (
    DIED,
    PROBLEM,
    THIS_MONTH,
    VOIDED_IN,
    Scene,
    audited,
    outcomes,
    proposals,
    recovery,
)

from certhub.hub.core.keys import STORE


async def _voided(
    tmp_path: Path, aiohttp_client: Any, recovered: str | None = None
) -> tuple[Office, dict[str, Any], str, int]:
    """T1 confirmed (476.00 overpaid, ``recovered`` of it recovered) and voided: an office,
    the person, T1 and the proposal's item."""
    scene, person, number = await Scene.recorded(tmp_path)
    t1 = (await scene.terminated(aiohttp_client, {number: {"paid_through": THIS_MONTH}}))[number]
    office = await scene.office(aiohttp_client)
    assert (await office.get(f"/v1/overpayments/{t1}"))[1]["amount"] == "476.00"
    if recovered is not None:
        status, body = await office.post(
            f"/v1/overpayments/{t1}/recoveries", "det-1", recovery(t1, recovered)
        )
        assert status == 202, body
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}
    office = await scene.office(aiohttp_client)
    return office, person, t1, (await proposals(office))[number]["sequence"]


async def _confirmed(
    office: Office, person: dict[str, Any], died: date, t1: str, refunded: str = "0.00"
) -> str:
    """A death report of ``died`` approved and its task confirmed: the task id, once checked
    that it holds the closure and that T1's 476.00 is voided (``refunded`` of it refunded)."""
    t2 = str((await office.reported_death(person, died))["task_id"])
    status, body = await office.step(t2, "county-1", "confirmed", event_date=died.isoformat())
    assert status == 202, body
    assert await office.client.app[STORE].closed_benefit(person["id_number"]) == ("death", t2)
    assert await _balance(office, t1) == ("476.00", refunded, "0.00", refunded, "voided")
    return t2


async def _balance(office: Office, task: str) -> tuple[str, ...]:
    """(amount, recovered, remaining, refunded, status) of ``task``'s overpayment."""
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    return tuple(body[k] for k in ("amount", "recovered", "remaining", "refunded", "status"))


# (month offset, day) of the true death: month_day's arguments, read as the test runs
LATER, EARLIER = (-1, 20), (-3, 3)


@pytest.mark.parametrize(
    ("died_on", "recovered", "overpaid", "months"),
    [
        pytest.param(LATER, None, "238.00", (0,), id="later"),  # M-1 was payable: M0
        pytest.param(EARLIER, None, "714.00", (-2, -1, 0), id="earlier"),  # 3 x 238.00
        pytest.param(LATER, "238.00", "238.00", (0,), id="later-t1-recovered"),  # refunded
    ],
)
async def test_a_true_death_after_the_void_is_the_closure_and_recovers_from_its_own_date(  # noqa: PLR0917 - pytest passes the cases by name
    tmp_path: Path,
    aiohttp_client: Any,
    died_on: tuple[int, int],
    recovered: str | None,
    overpaid: str,
    months: tuple[int, ...],
) -> None:
    died = month_day(*died_on)
    office, person, t1, item = await _voided(tmp_path, aiohttp_client, recovered)
    store, number = office.client.app[STORE], person["id_number"]
    t2 = await _confirmed(office, person, died, t1, refunded=recovered or "0.00")
    assert await _balance(office, t2) == (overpaid, "0.00", overpaid, "0.00", "pending")
    assert await store.counted_months(number, "recovered") == {
        f"{month_day(n):%Y-%m}" for n in months
    }
    terminations = [o["payload"] for o in await outcomes(office, "termination/v1")]
    assert [(t["task_id"], t["effective_from"]) for t in terminations] == [
        (t1, DIED.isoformat()),
        (t2, died.isoformat()),
    ]
    assert await audited(office, "closure_lifted") == [t1]
    status, task = await office.get(f"/v1/verification-tasks/{t2}")
    assert task["status"] == "confirmed", task
    assert "already terminated" not in (task.get("remarks") or ""), task
    # T1's proposal restores nothing now: deciding it is refused, nothing stored; rejected
    before = await office.ledger_size()  # the family's SMS may be audited meanwhile
    status, body = await office.decide("restoration-proposals", item, "town-1", "accept")
    assert (status, body["type"]) == (409, PROBLEM + "conflict"), body
    assert t1 in body["detail"], body
    assert await office.ledger_size() == before
    status, body = await office.decide(
        "restoration-proposals", item, "town-1", "reject", reasons=["truly dead"]
    )
    assert status == 202, body
    assert await store.closed_benefit(number) == ("death", t2)


@pytest.mark.parametrize("reason", ["imprisonment", "missing"])
async def test_a_suspension_confirmed_after_the_void_suspends_from_its_own_date(
    tmp_path: Path, aiohttp_client: Any, reason: str
) -> None:
    office, person, t1, item = await _voided(tmp_path, aiohttp_client)
    store, number, jailed = office.client.app[STORE], person["id_number"], month_day(-1, 20)
    t2 = str((await office.reported_death(person, jailed, reason=reason))["task_id"])
    assert (await office.step(t2, "town-1", "in_progress"))[0] == 202
    status, body = await office.step(t2, "county-1", "confirmed", event_date=jailed.isoformat())
    assert status == 202, body
    # alive, jailed (missing) on the 20th of M-1, no end stated: M0 overpaid (238.00)
    assert await store.closed_benefit(number) is None
    assert await _balance(office, t2) == ("238.00", "0.00", "238.00", "0.00", "pending")
    assert await _balance(office, t1) == ("476.00", "0.00", "0.00", "0.00", "voided")
    assert await store.counted_months(number, "recovered") == {THIS_MONTH}
    (suspension,) = await outcomes(office, "suspension/v1")
    assert (suspension["payload"]["task_id"], suspension["payload"]["effective_from"]) == (
        t2,
        jailed.isoformat(),
    )
    before = await office.ledger_size()
    status, body = await office.decide("restoration-proposals", item, "town-1", "accept")
    assert (status, body["type"]) == (409, PROBLEM + "conflict"), body
    assert await office.ledger_size() == before


@pytest.mark.parametrize("reason", ["death", "imprisonment"])
async def test_t1_applied_by_the_province_its_paid_months_are_still_recovered(
    tmp_path: Path, aiohttp_client: Any, reason: str
) -> None:
    """T1 confirmed while paid through M0 (476.00, M-1..M0), then applied by the province
    (terminated, paid through M-2), then voided; T2 (a death, an imprisonment) of the 20th
    of M-1 confirmed: M0 was paid all the same — 238.00 overpaid. Before, T2 read the
    roster's rewritten paid_through alone: nothing overpaid, T1's 476.00 voided, M0 lost."""
    office, person, t1, _ = await _voided(tmp_path, aiohttp_client)
    await office.roster(person, status="terminated", paid_through=DIED.strftime("%Y-%m"))
    store, number, day = office.client.app[STORE], person["id_number"], month_day(-1, 20)
    t2 = str((await office.reported_death(person, day, reason=reason))["task_id"])
    if reason != "death":
        assert (await office.step(t2, "town-1", "in_progress"))[0] == 202
    status, body = await office.step(t2, "county-1", "confirmed", event_date=day.isoformat())
    assert status == 202, body
    assert await _balance(office, t1) == ("476.00", "0.00", "0.00", "0.00", "voided")
    assert await _balance(office, t2) == ("238.00", "0.00", "238.00", "0.00", "pending")
    assert await store.counted_months(number, "recovered") == {THIS_MONTH}
