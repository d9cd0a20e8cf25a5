"""A person's death report dated in a LATER month, linked behind the termination, left alone
by a department's void: the death moves to the report's date, its month payable.

Months from this one (China time), 238.00 a month: civil affairs' cremation of the 3rd of
M(-2) (C0) confirmed while the roster pays through M(0): M(-1)..M(0) = 476.00. The city then
reports the death on the 8th of M(-1), approved at two levels: not earlier, so no amendment —
linked, it joins the terminating task's sources (reversals.joined_to_termination). The M(-1)
feed voids C0: ``no_effect``, the report stands behind the termination. But the only record
left dates the death in M(-1), the death month, payable: M(0) = 238.00 is overpaid, not
476.00. In the void's transaction the termination is re-signed with the 8th of M(-1) and
M(-1) is taken off the overpayment as an approved amendment's withdrawn record's months are
(hub/procedure/amendment_undo.py): of 300.00 recovered before the void, 238.00 is kept (M(0)
recovered in full) and 62.00 refunded. Before, the termination stayed dated the 3rd of M(-2)
and M(-1)'s 238.00 was recovered from the family of a person who, on what stands, was alive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from procedurekit import Office, month_day
from reversalkit import THIS_MONTH, VOIDED_IN, Scene, death_reported, outcomes, recovery

from certhub.hub.core.keys import STORE


async def _voided_behind_report(
    tmp_path: Path, aiohttp_client: Any, recovered: str | None
) -> tuple[Office, str, str]:
    """C0 confirmed (paid through M(0)), ``recovered`` recorded, the city's report of the
    8th of M(-1) approved, C0 voided: an office after the void, the task and the ID number."""
    scene, person, number = await Scene.recorded(tmp_path)
    office = await scene.office(aiohttp_client)
    tasks = await scene.confirmed_deaths(office, {number: {"paid_through": THIS_MONTH}})
    task = tasks[number]
    if recovered is not None:
        path = f"/v1/overpayments/{task}/recoveries"
        assert (await office.post(path, "det-1", recovery(task, recovered)))[0] == 202
    await death_reported(office, person, month_day(-1, 8))
    assert await outcomes(office, "termination_amendment/v1") == []  # later: linked
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"no_effect": 1}
    office = await scene.office(aiohttp_client)
    assert await outcomes(office, "restoration_proposal/v1") == []
    store = office.client.app[STORE]
    assert await store.closed_benefit(number) == ("death", task)  # the report stands
    *_, in_force = await outcomes(office, "termination/v1")
    assert in_force["payload"]["event_date"] == month_day(-1, 8).isoformat()
    assert in_force["payload"]["effective_from"] == month_day(-1, 8).isoformat()
    return office, task, number


async def test_a_void_leaving_a_later_report_recovers_only_the_months_after_it(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, task, number = await _voided_behind_report(tmp_path, aiohttp_client, None)
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    figures = (body["months"], body["amount"], body["remaining"], body["refunded"])
    assert figures == (1, "238.00", "238.00", "0.00"), body  # M(0) only
    store = office.client.app[STORE]
    assert await store.counted_months(number, "recovered") == {THIS_MONTH}
    assert VOIDED_IN not in await store.counted_months(number, "recovered")


async def test_what_was_recovered_of_the_report_s_death_month_is_refunded(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """300.00 recovered of 476.00 before the void: M(0)'s 238.00 kept, recovered in full;
    62.00 (recovered beyond it) refunded."""
    office, task, number = await _voided_behind_report(tmp_path, aiohttp_client, "300.00")
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    figures = (body["amount"], body["recovered"], body["remaining"], body["refunded"])
    assert figures == ("238.00", "238.00", "0.00", "62.00"), body
    assert body["status"] == "recovered", body
    cut = [o for o in await outcomes(office, "overpayment/v1")
           if o["message_id"].endswith(":released:voided")]  # fmt: skip
    assert [(o["payload"]["amount"], o["payload"]["recovered_amount"]) for o in cut] == [
        ("238.00", "62.00")
    ]
    store = office.client.app[STORE]
    assert await store.counted_months(number, "recovered") == {THIS_MONTH}
