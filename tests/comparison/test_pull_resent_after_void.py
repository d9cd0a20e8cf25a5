"""A cremation record re-sent by its department after its void, then voided again.

Civil affairs records a cremation of the 3rd of M-3 (record C1, run of M-3); the county
confirms the death (T1) while the roster pays through M0: M-2..M0 = 714.00 (238.00 a
month), 100.00 recovered. Civil affairs voids C1 (V1, run of M-2): T1's termination is
voided, its restoration proposed. In M-1 civil affairs sends C1 again (the same record,
the same date): a new death task (T2) opens, and confirmed it takes the closure,
714.00 to recover (T1's 714.00 voided, its 100.00 refunded). 238.00 is recovered on T2.

Before: the ledger knew a void by (department, record id) alone. T2 was read as voided
from its confirmation (its record "withdrawn" by V1, sent before it), so staff's
restoration of T2 was accepted while civil affairs said the person died; and civil
affairs' second void (V2, run of M0) was ``already``: T2's termination stood on a
withdrawn record, 714.00 still to recover from a living person's family.
Now a void withdraws the citations made before it only: T2 stands until V2, and V2 is a
void of its own (``cmpv.<hash>:2``) that voids T2 and proposes its restoration: approved,
T2's 714.00 is voided and its 238.00 refunded (338.00 refunded in all). Re-running
either void's period records nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase, confirmed_death
from latekit import label
from procedurekit import Office, month_day
from reversalkit import PROBLEM, approved, outcomes, proposals, recovery

from certhub.hub.core.keys import STORE
from certhub.hub.rules.comparison import next_void, void_message_id, withdrawn_since
from certhub.mocks.population import Population


def _case(tmp: Path, url: str | None) -> tuple[ComparisonCase, dict[str, Any]]:
    person = Population(seed=23).person()
    number = person["id_number"]
    cremation = f"C1,{number},某人,,,cremation,{month_day(-3, 3).isoformat()},\n"
    feeds = {
        label(-3): cremation,
        label(-2): f"V1,{number},某人,,,void,{label(-2)}-02,C1\n",
        label(-1): cremation,  # sent again: the same record, the same death
        label(0): f"V2,{number},某人,,,void,{label(0)}-01,C1\n",
    }
    case = ComparisonCase.prepare(tmp, [person], feeds).on_ledger(url)
    return case, person


async def _recovered(office: Office, task: str, amount: str) -> None:
    status, body = await office.post(
        f"/v1/overpayments/{task}/recoveries", "det-1", recovery(task, amount)
    )
    assert status == 202, body


async def _balance(office: Office, task: str) -> tuple[str, ...]:
    """(amount, recovered, remaining, refunded, status) of ``task``'s overpayment."""
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    return tuple(body[k] for k in ("amount", "recovered", "remaining", "refunded", "status"))


async def test_a_record_sent_again_after_its_void_stands_until_voided_again(
    tmp_path: Path, aiohttp_client: Any, ledger_url: str | None
) -> None:
    case, person = _case(tmp_path, ledger_url)
    number = person["id_number"]
    assert (await case.compare(label(-3)))["reports"] == {"task_opened": 1}
    office = await case.office(aiohttp_client)
    await office.roster(person, paid_through=label(0))
    t1 = await confirmed_death(office, month_day(-3, 3))
    await _recovered(office, t1, "100.00")
    await office.client.close()
    assert (await case.compare(label(-2)))["reversals"] == {"restoration_proposed": 1}
    assert (await case.compare(label(-1)))["reports"] == {"task_opened": 1}
    office = await case.office(aiohttp_client)
    store = office.client.app[STORE]
    t2 = await confirmed_death(office, month_day(-3, 3))
    assert await store.closed_benefit(number) == ("death", t2)
    assert await _balance(office, t1) == ("714.00", "100.00", "0.00", "100.00", "voided")
    assert await _balance(office, t2) == ("714.00", "0.00", "714.00", "0.00", "pending")
    await _recovered(office, t2, "238.00")
    # civil affairs says again that the person died: T2 stands, nothing restores it
    before = await office.ledger_size()
    hubs = (await proposals(office))[number]["payload"]  # T1's, which T2 superseded
    status, body = await office.post("/v1/restoration-proposals", "town-1", {
        "type": "restoration_proposal/v1",
        **{k: hubs[k] for k in ("person", "reason", "event_date", "effective_from", "withdrawn")},
        "task_id": t2, "proposed_at": datetime.now(UTC).isoformat(),
    })  # fmt: skip
    assert (status, body.get("type")) == (409, PROBLEM + "restoration-not-suspended"), body
    assert await office.ledger_size() == before
    await office.client.close()
    # ... until it withdraws the record again
    assert (await case.compare(label(0)))["reversals"] == {"restoration_proposed": 1}
    assert (await case.compare(label(-2)))["reversals"] == {"already": 1}
    assert (await case.compare(label(0)))["reversals"] == {"already": 1}
    office = await case.office(aiohttp_client)
    store = office.client.app[STORE]
    item = (await proposals(office))[number]
    assert item["payload"]["task_id"] == t2
    status, body = await approved(office, item["sequence"])
    assert status == 202, body
    assert await store.closed_benefit(number) is None
    assert await _balance(office, t2) == ("714.00", "238.00", "0.00", "238.00", "voided")
    # the province's pull: each termination and balance once, each refund once
    signed = [o["message_id"] for o in await outcomes(office, "overpayment/v1")]
    assert sorted(signed) == sorted([
        f"overpayment:{t1}", f"overpayment:{t1}:r10000", f"overpayment:{t1}:voided",
        f"overpayment:{t2}", f"overpayment:{t2}:r23800", f"overpayment:{t2}:voided",
    ])  # fmt: skip
    refunds = {
        o["payload"]["task_id"]: o["payload"]["recovered_amount"]
        for o in await outcomes(office, "overpayment/v1")
        if o["message_id"].endswith(":voided")
    }
    assert refunds == {t1: "100.00", t2: "238.00"}
    terminations = [o["payload"]["task_id"] for o in await outcomes(office, "termination/v1")]
    assert terminations == [t1, t2]
    assert await outcomes(office, "restoration/v1") == []  # paid through M0: no back pay
    await office.client.close()


def test_a_void_withdraws_the_citations_before_it_and_is_recorded_once() -> None:
    """The pure rules: cited at 2, voided at 8, sent again (cited at 12), voided at 20."""
    assert withdrawn_since(2, [8])  # T1's report: withdrawn by V1
    assert not withdrawn_since(12, [8])  # the record sent again stands
    assert withdrawn_since(12, [8, 20])  # ... until V2
    assert next_void(2, []) == 1
    assert next_void(2, [(8, False)]) is None  # another void, nothing sent since: nothing to undo
    assert next_void(12, [(8, True)]) is None  # V1's period run again
    assert next_void(12, [(8, False)]) == 2  # V2
    assert (
        void_message_id("civil_affairs", "C1", 2) == void_message_id("civil_affairs", "C1") + ":2"
    )
