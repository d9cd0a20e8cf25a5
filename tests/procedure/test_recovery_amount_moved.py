"""Through the hub's HTTP API: a recovery or a write-off planned on an overpayment whose amount
a release, an amendment or a late roster entry changes before it is written is refused.

238.00 a month (the kit's roster). A recovery is planned from the balance it reads (its
remaining, its status once recorded) and written in a later transaction; the recovered total
alone guarded it. Each test holds the recovery (or the write-off's approval) at the store until
the other change is written, as two requests arriving together do:

* jailed on the 10th of ``M(-9)`` while paid through ``M(-1)``: ``M(-8)..M(-1)`` = 1,904.00,
  238.00 recovered; 1,666.00 recovered while the release (end of ``M(-7)``) is approved: the
  cut to 476.00 landed first, then 1,904.00 stood recovered of 476.00 (1,428.00 taken and
  never refunded);
* died on the 15th of ``M(-3)``, paid through ``M(-1)``: ``M(-2)..M(-1)`` = 476.00; 476.00
  recovered while a roster entry paid through ``M(0)`` adds 238.00: the balance said
  ``recovered`` with 238.00 left, and no later recovery was taken (``overpayment-settled``);
* the same 476.00 written off (asked, approved by another) while the entry adds 238.00: the
  238.00 nobody asked for was written off with it.

Now each is ``conflict`` (409), nothing stored; sent again, it is judged on the balance as it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from latekit import label
from procedurekit import Office, month_day, roster_entry, write_off
from releasekit import balance, recovered, released_restoration
from releasekit import jailed_while_paid as jailed

from certhub.hub.core.keys import STORE
from certhub.hub.store.effects import Effects

PROBLEM = "urn:certhub:problem:"


def held(effects: Effects) -> bool:
    """The write held back: a recovery, or a write-off's approval."""
    change = effects.overpayment_change
    return change is not None and change.step in ("recovered", "write_off_approved")


async def interleaved(
    office: Office, first: Awaitable[tuple[int, Any]], second: Awaitable[tuple[int, Any]]
) -> tuple[tuple[int, Any], tuple[int, Any]]:
    """``first`` (a recovery or a write-off's approval) planned, then ``second`` planned and
    written, then ``first`` written: the answers of both."""
    store = office.client.app[STORE]
    append = store.append
    planned, written = asyncio.Event(), asyncio.Event()

    async def gated(message: Any, receipt: Any, effects: Effects) -> Any:
        if held(effects):
            planned.set()
            await asyncio.wait_for(written.wait(), 10)
            return await append(message, receipt, effects)
        await asyncio.wait_for(planned.wait(), 10)
        try:
            return await append(message, receipt, effects)
        finally:
            written.set()

    store.append = gated
    try:
        one = asyncio.ensure_future(first)
        await asyncio.wait_for(planned.wait(), 10)
        two = await second
        return await one, two
    finally:
        del store.append


async def jailed_while_paid(office: Office) -> tuple[dict[str, Any], str]:
    """The release vector's person and imprisonment task (1,904.00 overpaid), suspended,
    238.00 recovered."""
    person, task = await jailed(office)
    assert (await recovered(office, task, "238.00", "BR-1"))[0] == 202
    return person, task


async def test_a_recovery_planned_before_a_release_cut_is_refused(office: Office) -> None:
    person, task = await jailed_while_paid(office)
    assert await balance(office, task) == (8, "1904.00", "238.00", "1666.00", "partially_recovered")
    item = await office.accepted(
        "restorations", "town-1", await released_restoration(office, person)
    )
    (got, body), (approved, answer) = await interleaved(
        office,
        recovered(office, task, "1666.00", "BR-2"),
        office.decide("restorations", item, "county-1", "approve"),
    )
    assert approved == 202, answer
    assert (got, body.get("type")) == (409, PROBLEM + "conflict"), body
    # the cut as the release left it: 476.00, 238.00 recovered, 238.00 to recover
    assert await balance(office, task) == (2, "476.00", "238.00", "238.00", "partially_recovered")
    # sent again, judged on the balance as it is
    got, body = await recovered(office, task, "1666.00", "BR-2")
    assert (got, body.get("type")) == (409, PROBLEM + "recovery-exceeds-balance"), body
    assert (await recovered(office, task, "238.00", "BR-2"))[0] == 202
    assert await balance(office, task) == (2, "476.00", "476.00", "0.00", "recovered")


async def died_while_paid(office: Office) -> tuple[dict[str, Any], str]:
    """Died the 15th of M(-3), confirmed when paid through M(-1): M(-2)..M(-1) = 476.00 overpaid."""
    person = office.people.person()
    await office.roster(person, paid_through=label(-1))
    task = await office.confirmed_death(person, month_day(-3, 15))
    assert await balance(office, task) == (2, "476.00", "0.00", "476.00", "pending")
    return person, task


async def test_a_recovery_planned_before_a_late_roster_entry_is_refused(office: Office) -> None:
    person, task = await died_while_paid(office)
    (got, body), (stored, answer) = await interleaved(
        office,
        recovered(office, task, "476.00", "BR-1"),
        office.post("/v1/roster", "province", roster_entry(person, paid_through=label(0))),
    )
    assert stored == 202, answer
    assert (got, body.get("type")) == (409, PROBLEM + "conflict"), body
    assert await balance(office, task) == (3, "714.00", "0.00", "714.00", "pending")
    # sent again: 476.00 of 714.00, and the 238.00 the entry added is recovered too
    assert (await recovered(office, task, "476.00", "BR-1"))[0] == 202
    assert await balance(office, task) == (3, "714.00", "476.00", "238.00", "partially_recovered")
    assert (await recovered(office, task, "238.00", "BR-2"))[0] == 202
    assert await balance(office, task) == (3, "714.00", "714.00", "0.00", "recovered")


async def test_a_write_off_approved_before_a_late_roster_entry_is_refused(office: Office) -> None:
    person, task = await died_while_paid(office)
    path = f"/v1/overpayments/{task}/write-offs"
    item = await office.accepted("write-offs", "det-1", write_off(task, "476.00"), path)
    (got, body), (stored, answer) = await interleaved(
        office,
        office.decide("write-offs", item, "county-1", "approve"),
        office.post("/v1/roster", "province", roster_entry(person, paid_through=label(0))),
    )
    assert stored == 202, answer
    assert (got, body.get("type")) == (409, PROBLEM + "conflict"), body
    # not written off: 714.00 to recover; the stale request is approved no more
    assert await balance(office, task) == (3, "714.00", "0.00", "714.00", "pending")
    got, body = await office.decide("write-offs", item, "county-1", "approve")
    assert (got, body.get("type")) == (409, PROBLEM + "write-off-stale"), body
