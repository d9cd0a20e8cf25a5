"""Issue 17, reviewed from outside: the money of restoration proposals at the edges, over HTTP.

Civil affairs records a (false) cremation per person in ``DIED_IN``, the county
confirms each death, civil affairs voids every record in ``VOIDED_IN`` and the
comparison proposes the restorations, approved this month (``THIS_MONTH``).
Each expected figure is written out for the person's roster (238.00 a month):
for every month from the death's to last month, exactly one of paid by the
roster and kept, recovered and refunded (the overpayment voided), or
back-paid. Every refusal answers a problem and changes neither the ledger nor
the audit log.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase, confirmed_death
from procedurekit import restoration, write_off
from reversalkit import (
    DIED_IN,
    EARLIER,
    PROBLEM,
    THIS_MONTH,
    VOIDED_IN,
    Scene,
    approved,
    last_day,
    outcomes,
    proposals,
    recovery,
    refused,
    sizes,
    voided_restoration,
)

from certhub.hub.core.keys import STORE
from certhub.hub.rules.months import parse_month
from certhub.mocks.population import Population

FIRST = parse_month(DIED_IN)  # the 1st of the death's month
LAST = date.fromisoformat(last_day(DIED_IN))  # its last day
THIRD = FIRST + timedelta(days=2)
BEFORE_DIED = f"{parse_month(DIED_IN) - timedelta(days=1):%Y-%m}"  # the month before it


async def test_back_pay_refund_and_write_off_at_the_month_edges(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene = Scene.make(tmp_path, [FIRST, LAST, THIRD, THIRD, THIRD])
    first, last, unpaid, partial, writing_off = scene.people
    ids = [p["id_number"] for p in scene.people]
    await scene.compare(DIED_IN)
    paid_through = {  # the roster when each death was confirmed
        ids[2]: {"paid_through": BEFORE_DIED},  # the death's month not yet paid
        ids[3]: {"paid_through": THIS_MONTH},  # VOIDED_IN and THIS_MONTH overpaid: 476.00
        ids[4]: {"paid_through": VOIDED_IN},  # VOIDED_IN overpaid: 238.00
    }
    tasks = await scene.terminated(aiohttp_client, paid_through)
    office = await scene.office(aiohttp_client)
    store = office.client.app[STORE]
    partly, off = tasks[ids[3]], tasks[ids[4]]
    assert (await office.get(f"/v1/overpayments/{partly}"))[1]["amount"] == "476.00"
    assert (await office.get(f"/v1/overpayments/{tasks[ids[2]]}"))[0] == 404  # nothing overpaid
    answer = await office.post(
        f"/v1/overpayments/{partly}/recoveries", "det-1", recovery(partly, "300.00")
    )  # more than one month, less than two
    assert answer[0] == 202, answer
    asked = f"/v1/overpayments/{off}/write-offs"
    write_off_item = await office.accepted("write-offs", "det-1", write_off(off, "238.00"), asked)
    # the province applies every termination, each roster as it was confirmed
    for person in scene.people:
        changes = paid_through.get(person["id_number"], {"paid_through": DIED_IN})
        await office.roster(person, status="terminated", **changes)
    await office.client.close()

    office, items = await scene.voided(aiohttp_client)
    store = office.client.app[STORE]
    for number in ids:
        status, body = await approved(office, items[number])
        assert status == 202, body
        assert await store.closed_benefit(number) is None
    signed = {
        o["payload"]["person"]["id_number"]: o["payload"]
        for o in await outcomes(office, "restoration/v1")
    }
    # died on the 1st or the last day, paid through the death's month: VOIDED_IN is owed
    for person in (first, last):
        one = signed[person["id_number"]]
        assert (one["back_pay_from"], one["back_pay_to"]) == (
            f"{VOIDED_IN}-01",
            last_day(VOIDED_IN),
        )
        assert (one["back_pay_amount"], one["restore_from"]) == ("238.00", f"{THIS_MONTH}-01")
    # paid only before the death's month: the death's month (payable) and VOIDED_IN
    one = signed[unpaid["id_number"]]
    assert (one["back_pay_from"], one["back_pay_to"]) == (f"{DIED_IN}-01", last_day(VOIDED_IN))
    assert one["back_pay_amount"] == "476.00"
    assert await store.counted_months(unpaid["id_number"], "back_paid") == {DIED_IN, VOIDED_IN}
    # paid through this month, 300.00 of 476.00 recovered: refunded, nothing back-paid
    assert partial["id_number"] not in signed
    assert writing_off["id_number"] not in signed
    _, balance = await office.get(f"/v1/overpayments/{partly}")
    assert (balance["status"], balance["recovered"], balance["remaining"]) == (
        "voided", "300.00", "0.00",
    )  # fmt: skip
    _, task = await office.get(f"/v1/verification-tasks/{partly}")
    assert "300.00 recovered is refunded" in task["remarks"]
    # the write-off under review went stale with the void: approving it changes nothing
    approve = office.decide("write-offs", write_off_item, "county-1", "approve")
    await refused(office, approve, 409, "write-off-stale")
    recovered = office.post(f"/v1/overpayments/{off}/recoveries", "det-1", recovery(off, "1.00"))
    await refused(office, recovered, 409, "overpayment-settled")
    assert (await office.decide("write-offs", write_off_item, "county-1", "reject"))[0] == 202
    _, balance = await office.get(f"/v1/overpayments/{off}")
    assert (balance["status"], balance["recovered"]) == ("voided", "0.00")
    assert (balance["remaining"], balance["written_off"]) == ("0.00", "0.00")
    # a month counted once whichever way: no month back-paid twice for anyone
    assert len(signed) == 3


async def test_a_restored_person_reported_dead_again_owes_the_refunded_months_again(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    # died (falsely) on the 3rd of the month before DIED_IN, paid through DIED_IN: one
    # month overpaid (238.00), of which 100.00 recovered
    scene, person, number = await Scene.recorded(tmp_path, EARLIER)
    (task_id,) = (
        await scene.terminated(aiohttp_client, {number: {"paid_through": DIED_IN}})
    ).values()
    office = await scene.office(aiohttp_client)
    answer = await office.post(
        f"/v1/overpayments/{task_id}/recoveries", "det-1", recovery(task_id, "100.00")
    )
    assert answer[0] == 202, answer
    await office.roster(person, status="terminated", paid_through=DIED_IN)
    await office.client.close()
    office, items = await scene.voided(aiohttp_client)
    store = office.client.app[STORE]
    item = items[number]
    assert (await approved(office, item))[0] == 202
    (signed,) = await outcomes(office, "restoration/v1")
    assert (signed["payload"]["back_pay_from"], signed["payload"]["back_pay_amount"]) == (
        f"{VOIDED_IN}-01", "238.00",
    )  # fmt: skip
    # the refund took DIED_IN off what is recovered: it is no longer a recovered month
    assert await store.counted_months(number, "recovered") == frozenset()

    # refusals after the approval: the same decision again, staff filing the same month
    before = await sizes(office)
    again = office.decide("restoration-proposals", item, "county-2", "approve")
    await refused(office, again, 409, "decision-out-of-order")
    filed = office.post("/v1/restorations", "town-1", voided_restoration(person, EARLIER))
    await refused(office, filed, 409, "restoration-not-suspended")
    await office.client.close()
    # re-running the period proposes and restores nothing again
    assert (await scene.compare(VOIDED_IN))["restoration_proposals"] == []
    office = await scene.office(aiohttp_client)
    assert (await sizes(office))[0] == before[0]

    # the province restores it (paid through VOIDED_IN by the back pay); then the city
    # reports the death for real, on the 20th of the month before DIED_IN
    await office.roster(person, paid_through=VOIDED_IN)
    died = EARLIER + timedelta(days=17)
    second = await office.confirmed_death(person, died)
    assert second != task_id
    status, balance = await office.get(f"/v1/overpayments/{second}")
    assert status == 200, balance
    # DIED_IN (paid, 100.00 recovered then refunded) and VOIDED_IN (back-paid) are owed back
    assert (balance["amount"], balance["months"]) == ("476.00", 2), balance
    assert await office.client.app[STORE].counted_months(number, "recovered") == {
        DIED_IN, VOIDED_IN,
    }  # fmt: skip
    _, first = await office.get(f"/v1/overpayments/{task_id}")
    assert (first["status"], first["recovered"]) == ("voided", "100.00")  # history kept


async def test_racing_approvals_restore_and_pay_each_month_once(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene = Scene.make(tmp_path, [THIRD, THIRD, THIRD])
    twice, raced, held = scene.people
    await scene.compare(DIED_IN)
    await scene.terminated(aiohttp_client)
    office = await scene.office(aiohttp_client)
    for person in scene.people:
        await office.roster(person, status="terminated", paid_through=DIED_IN)
    await office.client.close()
    office, items = await scene.voided(aiohttp_client)
    store = office.client.app[STORE]

    # two county reviewers approve the same accepted proposal at once: one restores
    item = items[twice["id_number"]]
    assert (await office.decide("restoration-proposals", item, "town-1", "accept"))[0] == 202
    answers = await asyncio.gather(
        office.decide("restoration-proposals", item, "county-1", "approve"),
        office.decide("restoration-proposals", item, "county-2", "approve"),
    )
    assert sorted(status for status, _ in answers) == [202, 409], answers
    (refusal,) = [body for status, body in answers if status == 409]
    assert refusal["type"] in {PROBLEM + "conflict", PROBLEM + "decision-out-of-order"}
    # staff file the same month while the other proposal is approved: one of them pays it
    item = items[raced["id_number"]]
    assert (await office.decide("restoration-proposals", item, "town-2", "accept"))[0] == 202
    filing = restoration(raced, THIRD)  # VOIDED_IN, 238.00: the month the proposal pays
    answers = await asyncio.gather(
        office.decide("restoration-proposals", item, "county-1", "approve"),
        office.post("/v1/restorations", "town-1", filing),
    )
    assert sorted(status for status, _ in answers) == [202, 409], answers
    for person in (twice, raced):
        assert await store.counted_months(person["id_number"], "back_paid") == {VOIDED_IN}
    signed = [o["payload"]["person"]["id_number"] for o in await outcomes(office, "restoration/v1")]
    assert signed.count(twice["id_number"]) == 1
    assert signed.count(raced["id_number"]) == (1 if answers[0][0] == 202 else 0)

    # the province suspended the third meanwhile, from before the death it was told of (the
    # 1st of DIED_IN, the termination took effect on the 3rd): another cause, so neither the
    # proposal nor staff restore it until its roster says active again
    item = items[held["id_number"]]
    assert (await office.decide("restoration-proposals", item, "town-1", "accept"))[0] == 202
    await office.roster(held, status="suspended", suspended_since=FIRST.isoformat(),
                        paid_through=DIED_IN)  # fmt: skip
    approve = office.decide("restoration-proposals", item, "county-1", "approve")
    await refused(office, approve, 409, "restoration-other-suspension")
    filing = voided_restoration(held, THIRD)  # THIRD: the day the termination took effect
    filed = office.post("/v1/restorations", "town-1", filing)
    await refused(office, filed, 409, "restoration-other-suspension")
    assert await store.closed_benefit(held["id_number"]) is not None
    await office.roster(held, status="active", paid_through=DIED_IN)
    status, body = await office.decide("restoration-proposals", item, "county-1", "approve")
    assert status == 202, body
    assert await store.counted_months(held["id_number"], "back_paid") == {VOIDED_IN}


async def test_a_termination_on_two_records_is_proposed_only_once_both_are_voided(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    person = Population(seed=31).person()
    n = person["id_number"]
    feeds = {
        "2026-09": f"C1,{n},某人,,,cremation,2026-09-03,\nD1,{n},某人,,,death,2026-09-02,\n",
        "2026-10": f"V1,{n},某人,,,void,2026-10-02,C1\n",
        "2026-11": f"V2,{n},某人,,,void,2026-11-02,D1\n",
    }
    case = ComparisonCase.prepare(tmp_path, [person], feeds)
    assert (await case.compare("2026-09"))["reports"] == {"task_opened": 1}
    office = await case.office(aiohttp_client)
    await office.roster(person, paid_through="2026-09")
    task_id = await confirmed_death(office, date(2026, 9, 2))
    await office.roster(person, status="terminated", paid_through="2026-09")
    await office.client.close()

    ledger = await case.compare("2026-10")  # C1 withdrawn, D1 stands: nothing to propose
    assert (ledger["reversals"], ledger["restoration_proposals"]) == ({"no_effect": 1}, [])
    office = await case.office(aiohttp_client)
    assert await proposals(office) == {}
    # nor may staff restore it: the termination stands
    filed = office.post("/v1/restorations", "town-1", restoration(person, date(2026, 9, 2)))
    await refused(office, filed, 409, "restoration-not-suspended")
    await office.client.close()

    ledger = await case.compare("2026-11")  # D1 withdrawn too
    assert (ledger["reversals"], ledger["restoration_proposals"]) == (
        {"restoration_proposed": 1}, [task_id],
    )  # fmt: skip
    office = await case.office(aiohttp_client)
    (proposal,) = (await proposals(office)).values()
    assert proposal["payload"]["withdrawn"] == ["civil_affairs:C1", "civil_affairs:D1"]
    assert proposal["payload"]["effective_from"] == "2026-09-02"
