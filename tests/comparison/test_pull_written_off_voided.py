"""A balance partly recovered and written off, then its termination voided: the refund.

A false cremation of the 3rd of M-2 confirmed while the roster paid through M0: M-1..M0 =
476.00 (238.00 a month). 100.00 recovered, the 376.00 left written off (approved).
Civil affairs voids the record; the hub's restoration proposal approved: the balance is
voided — 100.00 refunded (what was recovered, no more), nothing written off (a voided
balance is no loss), nothing remaining —, the province pulls ``overpayment:<task>:voided``
saying so once, and no back pay (paid through M0). Found correct.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from procedurekit import write_off
from reversalkit import (
    DIED,
    PROBLEM,
    THIS_MONTH,
    VOIDED_IN,
    Scene,
    approved,
    outcomes,
    proposals,
    recovery,
)


async def test_a_written_off_balance_voided_refunds_what_was_recovered(
    tmp_path: Path, aiohttp_client: Any, ledger_url: str | None
) -> None:
    scene, _, number = Scene.alone(tmp_path, DIED)
    scene.on_ledger(ledger_url)
    await scene.compare(DIED.strftime("%Y-%m"))  # on the scene's ledger
    task = (await scene.terminated(aiohttp_client, {number: {"paid_through": THIS_MONTH}}))[number]
    office = await scene.office(aiohttp_client)
    status, body = await office.post(
        f"/v1/overpayments/{task}/recoveries", "det-1", recovery(task, "100.00")
    )
    assert status == 202, body
    status, request = await office.post(
        f"/v1/overpayments/{task}/write-offs", "det-1", write_off(task, "376.00")
    )
    assert status == 202, request
    item = request["sequence"]
    assert (await office.decide("write-offs", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("write-offs", item, "county-1", "approve"))[0] == 202
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (body["amount"], body["recovered"], body["written_off"], body["status"]) == (
        "476.00", "100.00", "376.00", "written_off"
    )  # fmt: skip
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}
    office = await scene.office(aiohttp_client)
    status, body = await approved(office, (await proposals(office))[number]["sequence"])
    assert status == 202, body
    status, body = await office.get(f"/v1/overpayments/{task}")
    figures = ("amount", "recovered", "remaining", "written_off", "refunded", "status")
    assert tuple(body[k] for k in figures) == (
        "476.00", "100.00", "0.00", "0.00", "100.00", "voided"
    )  # fmt: skip
    signed = {
        o["message_id"]: (o["payload"]["recovered_amount"], o["payload"]["recovery_status"])
        for o in await outcomes(office, "overpayment/v1")
    }
    assert signed == {
        f"overpayment:{task}": ("0.00", "pending"),
        f"overpayment:{task}:r10000": ("100.00", "partially_recovered"),
        f"overpayment:{task}:written-off": ("100.00", "written_off"),
        f"overpayment:{task}:voided": ("100.00", "voided"),
    }
    assert await outcomes(office, "restoration/v1") == []  # paid through M0: nothing owed
    before = await office.ledger_size()
    status, body = await office.post(
        f"/v1/overpayments/{task}/recoveries", "det-1", recovery(task, "0.01")
    )
    assert (status, body["type"]) == (409, PROBLEM + "overpayment-settled"), body
    assert await office.ledger_size() == before
    await office.client.close()
