"""Issue 17: a voided termination becomes a restoration proposal under review, restored on approval.

Civil affairs sends a (false) cremation record per person through ``certhub
compare run``; the county confirms each death and the hub terminates the
benefits. Next month civil affairs voids every record: the comparison opens
one ``restoration_proposal/v1`` per person, an item under review. Town staff
accept, the county (the city after a year) approves, and only then the hub
signs the restoration of the months unpaid at the roster's 238.00 a month
and lifts its closure. Here: one proposal however often the period is re-run,
the decisions in order, the readers' list, and a restoration staff file never
paying a month twice; ``test_restoration_refunds.py`` has the roster still
active, the refund and the city's year. A month's back pay is 238.00.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from procedurekit import restoration
from reversalkit import (
    DIED,
    DIED_IN,
    EARLIER,
    THIS_MONTH,
    VOIDED_IN,
    Scene,
    audited,
    last_day,
    listed,
    other_county,
    outcomes,
    proposals,
    recovery,
    refused,
)

from certhub.hub.core.keys import STORE


async def test_a_voided_termination_is_proposed_once_and_restored_only_when_the_county_approves(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene, person, number = await Scene.recorded(tmp_path)
    (task_id,) = (await scene.terminated(aiohttp_client)).values()
    office = await scene.office(aiohttp_client)
    # the province applies the termination: it stops paying after the death's month
    await office.roster(person, status="terminated", paid_through=DIED_IN)
    await office.client.close()

    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"already": 1}  # re-run: nothing new
    office = await scene.office(aiohttp_client)
    store = office.client.app[STORE]
    (proposal,) = (await proposals(office)).values()  # one, whatever the re-runs
    assert proposal["status"] == "received"
    assert proposal["message_id"] == f"restoration-proposal:{task_id}"
    payload = proposal["payload"]
    assert (payload["task_id"], payload["reason"]) == (task_id, "death")
    assert payload["effective_from"] == DIED.isoformat()
    assert payload["withdrawn"] == ["civil_affairs:C0"]
    item = proposal["sequence"]
    assert await listed(office, region=person["region"]["county"]) == [(item, "received")]
    assert await listed(office, region=other_county(person)) == []
    assert await outcomes(office, "restoration/v1") == []  # proposed is not restored
    assert await store.closed_benefit(number) is not None

    decide = office.decide
    approve = decide("restoration-proposals", item, "county-1", "approve")
    await refused(office, approve, 409, "decision-out-of-order")
    assert (await decide("restoration-proposals", item, "town-1", "accept"))[0] == 202
    approve = decide("restoration-proposals", item, "town-1", "approve")
    await refused(office, approve, 403, "same-actor")
    approve = decide("restoration-proposals", item, "town-2", "approve")
    await refused(office, approve, 403, "county-approval-required")
    assert await store.closed_benefit(number) is not None
    status, body = await decide("restoration-proposals", item, "county-1", "approve")
    assert status == 202, body

    (restored,) = await outcomes(office, "restoration/v1")
    signed = restored["payload"]
    assert signed["person"]["id_number"] == number
    assert signed["suspended_since"] == DIED.isoformat()  # the day the termination took effect
    assert signed["restore_from"] == f"{THIS_MONTH}-01"
    # the death's month was paid (payable); last month is the one month unpaid
    assert (signed["back_pay_from"], signed["back_pay_to"]) == (
        f"{VOIDED_IN}-01",
        last_day(VOIDED_IN),
    )
    assert (signed["monthly_amount"], signed["back_pay_amount"]) == ("238.00", "238.00")
    assert "bank_account" not in signed or signed["bank_account"] is None  # the account on file
    assert signed["bank_account_on_file"] == "6222***********0123"
    assert [a["id"] for a in signed["approvals"]] == ["town-1", "county-1"]
    assert signed["requested_by"]["id"] == "adapter:comparison"
    assert await store.closed_benefit(number) is None
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}
    assert await audited(office, "closure_lifted") == [task_id]
    _, task = await office.get(f"/v1/verification-tasks/{task_id}")
    assert task["status"] == "confirmed"
    assert "the termination is withdrawn" in task["remarks"]
    assert (await proposals(office))[number]["status"] == "approved"
    assert await listed(office) == []  # nothing open any more
    assert await listed(office, status="approved") == [(item, "approved")]
    again = decide("restoration-proposals", item, "county-2", "approve")
    await refused(office, again, 409, "decision-out-of-order")


async def test_a_restoration_staff_file_and_the_proposal_never_pay_a_month_twice(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene = Scene.make(tmp_path, [DIED, EARLIER])
    first, second = scene.people
    await scene.compare(DIED_IN)
    # the second died a month earlier, paid through DIED_IN: one month (238.00) overpaid
    tasks = await scene.terminated(aiohttp_client, {second["id_number"]: {"paid_through": DIED_IN}})
    office = await scene.office(aiohttp_client)
    overpaid = tasks[second["id_number"]]
    status, body = await office.post(
        f"/v1/overpayments/{overpaid}/recoveries", "det-1", recovery(overpaid, "238.00")
    )
    assert status == 202, body
    for person in scene.people:
        await office.roster(person, status="terminated", paid_through=DIED_IN)
    await office.client.close()
    office, items = await scene.voided(aiohttp_client)
    store = office.client.app[STORE]
    status, page = await office.get("/v1/restoration-proposals", limit="1")
    assert (status, page["has_more"]) == (200, True), page
    status, rest = await office.get("/v1/restoration-proposals", after=page["next_cursor"])
    assert (status, rest["has_more"]) == (200, False), rest
    paged = [p["sequence"] for p in page["items"] + rest["items"]]
    assert paged == sorted(items.values())
    closed = office.get("/v1/restoration-proposals", status="closed")
    await refused(office, closed, 400, "invalid-parameter")

    # first: staff file the same months while the proposal is open
    status, body = await office.post("/v1/restorations", "town-1", restoration(first, DIED))
    assert status == 202, body
    filed = int(body["sequence"])
    item = items[first["id_number"]]
    assert (await office.decide("restoration-proposals", item, "town-2", "accept"))[0] == 202
    approve = office.decide("restoration-proposals", item, "county-1", "approve")
    await refused(office, approve, 409, "months-already-counted")
    assert await store.closed_benefit(first["id_number"]) is not None
    # staff withdraw theirs (rejected: its months are free), and the proposal restores
    assert (await office.decide("restorations", filed, "town-1", "reject"))[0] == 202
    status, body = await office.decide("restoration-proposals", item, "county-1", "approve")
    assert status == 202, body
    assert await store.counted_months(first["id_number"], "back_paid") == {VOIDED_IN}

    # second: the staff-filed restoration is approved first; the proposal has nothing left.
    # DIED_IN was paid (then recovered: refunded instead), so it is not back pay
    filing = restoration(second, EARLIER)
    filed = office.post("/v1/restorations", "town-1", filing)
    await refused(office, filed, 422, "restoration-period-invalid")
    filing |= {"back_pay_from": f"{VOIDED_IN}-01", "back_pay_amount": "238.00"}
    await office.approved("restorations", "town-1", filing)
    assert await store.closed_benefit(second["id_number"]) is None
    _, balance = await office.get(f"/v1/overpayments/{overpaid}")  # refunded on this path too
    assert (balance["status"], balance["recovered"], balance["remaining"]) == (
        "voided", "238.00", "0.00",
    )  # fmt: skip
    item = items[second["id_number"]]
    accept = office.decide("restoration-proposals", item, "town-2", "accept")
    await refused(office, accept, 409, "conflict")
    assert (await office.decide("restoration-proposals", item, "town-2", "reject"))[0] == 202
    # DIED_IN, paid and its recovery voided, is claimed as paid by the staff's restoration
    assert await store.counted_months(second["id_number"], "back_paid") == {DIED_IN, VOIDED_IN}
    assert sorted(await audited(office, "closure_lifted")) == sorted(tasks.values())
    # one restoration/v1 signed by the hub (the first's); the second's is the staff's own
    assert len(await outcomes(office, "restoration/v1")) == 1
