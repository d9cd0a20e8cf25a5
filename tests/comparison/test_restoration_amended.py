"""A voided termination whose death an amendment dated earlier is restored from the date in force.

238.00 a month, months from this one (China time). Civil affairs records a cremation on the
3rd of M(-3) (feed M(-3)); the county confirms the death, the roster active and paid through
M(-6) (nothing overpaid). A second cremation record (feed M(-2)) dates the death the 3rd of
M(-6): the amendment it opens is approved — ``termination:<task>:2`` in force, the months
between (M(-5)..M(-3)) never paid, nothing recovered. Civil affairs voids both records (feed
M(-1)): the hub proposes restoring the benefit.

The province applied the amended termination (terminated, paid through M(-6)): the proposal
restates the termination in force (3rd of M(-6)) and its approval back-pays M(-5)..M(-1) =
5 x 238.00 = 1,190.00. Before, it restated the first termination (3rd of M(-3)) and
back-paid M(-3)..M(-1) = 714.00 only: M(-5)..M(-4) = 476.00 owed to a living person, never
paid. The province applied it as a suspension from the 1st of M(-5): restored the same
(before, ``restoration-other-suspension``: "began before the termination took effect").
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from procedurekit import Office, month_day, month_end
from reversalkit import PROBLEM, Scene, approved, back_pay, proposals, sizes

from certhub.hub.core.keys import STORE
from certhub.mocks.population import Population


def _first() -> date:  # the first record's date: the first termination's
    return month_day(-3, 3)


def _amended() -> date:  # the second record's: the termination in force
    return month_day(-6, 3)


def month(offset: int) -> str:
    """``YYYY-MM`` of the month ``offset`` months from this one."""
    return month_day(offset).strftime("%Y-%m")


async def voided_after_amendment(
    tmp: Path, aiohttp_client: Any, *, first_void: str = month(-1)
) -> tuple[Office, dict[str, Any], str, dict[str, Any]]:
    """The death confirmed on :func:`_first`, amended to :func:`_amended`, the first record
    voided in ``first_void``'s feed, the second in M(-1)'s: an office, the person, the
    terminating task and the last comparison's reversals."""
    person = Population(seed=31).person()
    number = person["id_number"]
    voids = {
        "C0": f"V0,{number},某人,,,void,{first_void}-02,C0\n",
        "C1": f"V1,{number},某人,,,void,{month(-1)}-02,C1\n",
    }
    feeds = {
        month(-3): f"C0,{number},某人,,,cremation,{month_day(-3, 3).isoformat()},\n",
        month(-2): f"C1,{number},某人,,,cremation,{month_day(-6, 3).isoformat()},\n",
        month(-1): voids["C1"],
    }
    feeds[first_void] += voids["C0"]
    scene = Scene.prepare(tmp, [person], feeds)
    scene.died = {number: month_day(-3, 3)}
    await scene.compare(month(-3))
    tasks = await scene.terminated(aiohttp_client, {number: {"paid_through": month(-6)}})
    await scene.compare(month(-2))
    office = await scene.office(aiohttp_client)
    status, page = await office.get("/v1/termination-amendments")
    assert status == 200, page
    (amendment,) = page["items"]
    assert amendment["payload"]["amended_event_date"] == month_day(-6, 3).isoformat()
    rests_on = amendment["payload"]["rests_on"]  # the comparison's report: voided with C1
    assert rests_on["kind"] == "machine_report", rests_on
    assert amendment["payload"]["source"].startswith(f"adapter:comparison {rests_on['id']} (")
    item = amendment["sequence"]
    assert (await office.decide("termination-amendments", item, "town-1", "accept"))[0] == 202
    status, body = await office.decide("termination-amendments", item, "county-1", "approve")
    assert status == 202, body
    status, body = await office.get(f"/v1/overpayments/{tasks[number]}")
    assert status == 404, body  # M(-5)..M(-3) never paid: nothing to recover
    await office.client.close()
    reversals = (await scene.compare(month(-1)))["reversals"]
    return await scene.office(aiohttp_client), person, tasks[number], reversals


async def test_the_proposal_back_pays_from_the_date_in_force(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, _, reversals = await voided_after_amendment(tmp_path, aiohttp_client)
    # the first void leaves the second record standing; the second voids the termination
    assert reversals == {"no_effect": 1, "restoration_proposed": 1}
    number = person["id_number"]
    proposal = (await proposals(office))[number]
    stated = (proposal["payload"]["event_date"], proposal["payload"]["effective_from"])
    assert stated == (month_day(-6, 3).isoformat(), month_day(-6, 3).isoformat())
    await office.roster(person, status="terminated", paid_through=month(-6))
    status, body = await approved(office, proposal["sequence"])
    assert status == 202, body
    assert await back_pay(office) == (
        month_day(-5).isoformat(), month_end(-1).isoformat(), "1190.00"
    )  # fmt: skip
    store = office.client.app[STORE]
    assert await store.closed_benefit(number) is None
    assert await store.counted_months(number, "back_paid") == {month(n) for n in range(-5, 0)}


async def test_a_suspension_from_the_month_after_the_amended_death_is_lifted(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, _, _ = await voided_after_amendment(tmp_path, aiohttp_client)
    proposal = (await proposals(office))[person["id_number"]]
    await office.suspended(person, month_day(-5))  # paid through M(-5)
    status, body = await approved(office, proposal["sequence"])
    assert status == 202, body
    assert await back_pay(office) == (
        month_day(-4).isoformat(), month_end(-1).isoformat(), "952.00"
    )  # fmt: skip


async def test_a_proposal_made_before_the_amendment_is_not_approved(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """The first record voided in M(-2)'s feed while the amendment was still under review:
    the hub proposed restoring the first termination (3rd of M(-3)). The amendment approved,
    the second record voided: the proposal restates a date no longer in force — accepting
    it is ``conflict`` (409), nothing stored, the closure staying; rejected, staff propose
    again."""
    office, person, task, _ = await voided_after_amendment(
        tmp_path, aiohttp_client, first_void=month(-2)
    )
    proposal = (await proposals(office))[person["id_number"]]
    assert proposal["payload"]["effective_from"] == month_day(-3, 3).isoformat()
    await office.roster(person, status="terminated", paid_through=month(-6))
    before = await sizes(office)
    status, body = await office.decide(
        "restoration-proposals", proposal["sequence"], "town-1", "accept"
    )
    assert (status, body["type"]) == (409, PROBLEM + "conflict"), body
    assert month_day(-6, 3).isoformat() in body["detail"], body
    assert await sizes(office) == before
    assert await office.client.app[STORE].closed_benefit(person["id_number"]) == ("death", task)


async def test_each_decision_reads_the_amendments_and_recovered_months_once(
    tmp_path: Path, aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Accepting and approving the proposal each read the termination's amendment series
    once (its one amendment found, the next id missing: two look-ups) and the months
    recovered once. Before, the voided check read the series twice (what the termination
    rests on, and an amendment under review), and the approval ran the whole check twice
    (for the approval level, then to restore): eight look-ups and two reads of the months."""
    office, person, task, _ = await voided_after_amendment(tmp_path, aiohttp_client)
    store, reads = office.client.app[STORE], Counter[str]()
    find, counted_months = store.find, store.counted_months

    async def found(sender: str, message_id: str) -> object:
        reads[message_id.rsplit(":", 1)[0]] += 1
        return await find(sender, message_id)

    async def counted(person_id: str, purpose: str) -> object:
        reads[purpose] += 1
        return await counted_months(person_id, purpose)

    monkeypatch.setattr(store, "find", found)
    monkeypatch.setattr(store, "counted_months", counted)
    await office.roster(person, status="terminated", paid_through=month(-6))
    item = (await proposals(office))[person["id_number"]]["sequence"]
    series = f"termination-amendment:{task}"
    for party, action in (("town-1", "accept"), ("county-1", "approve")):
        reads.clear()
        status, body = await office.decide("restoration-proposals", item, party, action)
        assert status == 202, body
        assert (reads[series], reads["recovered"]) == (2, 1), (action, reads)
