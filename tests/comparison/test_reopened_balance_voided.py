"""A balance opened again after a death moved back, then voided with the termination: what was
refunded each time adds up, and only the records in force are voided again.

238.00 a month. Civil affairs' cremation of the 3rd of M(-3) (C0) confirmed while the roster
pays through M(-3): nothing overpaid. C1 (the 3rd of M(-4), M(-2) feed) opens an amendment,
approved: M(-3) = 238.00; 100.00 recovered. The M(-1) feed voids C1: the death back at the
3rd of M(-3), the balance voided whole, 100.00 refunded. The province, late to stop payment,
sends an entry paid through M(0): the balance is opened again with M(-2)..M(0) = 714.00
(``overpayment:<task>:2``), nothing recovered; 300.00 recovered. The M(0) feed voids C0:
nothing stands behind the termination, its restoration is proposed and approved — the
balance is voided again, only ``overpayment:<task>:2`` re-signed ``:voided`` (300.00 to
refund; M(-3)'s record was voided before), and the refunds are 100.00 + 300.00 = 400.00.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase
from procedurekit import month_day, today
from reversalkit import THIS_MONTH, amendment_approved, approved, outcomes, proposals, recovery

from certhub.hub.core.keys import STORE
from certhub.hub.rules.months import month_index, month_label
from certhub.mocks.population import Population


def _month(offset: int) -> str:
    """``YYYY-MM`` of the month ``offset`` from this one."""
    return month_label(month_index(today()) + offset)


async def test_a_reopened_balance_voided_again_refunds_each_time_once(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    person = Population(seed=31).person()
    number = person["id_number"]
    died, earlier = month_day(-3, 3), month_day(-4, 3)
    feeds = {
        _month(-3): f"C0,{number},某人,,,cremation,{died.isoformat()},\n",
        _month(-2): f"C1,{number},某人,,,cremation,{earlier.isoformat()},\n",
        _month(-1): f"V1,{number},某人,,,void,{_month(-1)}-01,C1\n",
        THIS_MONTH: f"V0,{number},某人,,,void,{THIS_MONTH}-01,C0\n",
    }
    case = ComparisonCase.prepare(tmp_path, [person], feeds)
    await case.compare(_month(-3))
    office = await case.office(aiohttp_client)
    status, page = await office.get("/v1/verification-tasks", status="open")
    assert status == 200, page
    (task,) = [t["task_id"] for t in page["items"]]
    await office.roster(person, paid_through=_month(-3))
    status, body = await office.step(task, "county-1", "confirmed", event_date=died.isoformat())
    assert status == 202, body
    await office.client.close()
    assert (await case.compare(_month(-2)))["reports"] == {"amendment_opened": 1}
    office = await case.office(aiohttp_client)
    await amendment_approved(office)
    path = f"/v1/overpayments/{task}/recoveries"
    assert (await office.post(path, "det-1", recovery(task, "100.00")))[0] == 202
    await office.client.close()
    assert (await case.compare(_month(-1)))["reversals"] == {"no_effect": 1}
    office = await case.office(aiohttp_client)
    await office.roster(person, paid_through=THIS_MONTH)
    status, body = await office.get(f"/v1/overpayments/{task}")
    figures = (body["months"], body["amount"], body["recovered"], body["refunded"], body["status"])
    assert figures == (3, "714.00", "0.00", "100.00", "pending"), body
    assert (await office.post(path, "det-1", recovery(task, "300.00")))[0] == 202
    await office.client.close()
    assert (await case.compare(THIS_MONTH))["reversals"] == {"restoration_proposed": 1}
    office = await case.office(aiohttp_client)
    status, body = await approved(office, (await proposals(office))[number]["sequence"])
    assert status == 202, body
    store = office.client.app[STORE]
    assert await store.closed_benefit(number) is None
    status, body = await office.get(f"/v1/overpayments/{task}")
    figures = (body["amount"], body["recovered"], body["refunded"], body["status"])
    assert figures == ("714.00", "300.00", "400.00", "voided"), body
    voided = {
        o["message_id"]: (o["payload"]["amount"], o["payload"]["recovered_amount"])
        for o in await outcomes(office, "overpayment/v1")
        if o["message_id"].endswith(":voided")
    }
    assert voided == {
        f"overpayment:{task}:voided": ("238.00", "100.00"),  # the death moved back
        f"overpayment:{task}:2:voided": ("714.00", "300.00"),  # the termination voided
    }
    assert await store.counted_months(number, "recovered") == frozenset()
