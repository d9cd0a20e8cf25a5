"""Through the hub's HTTP API: months an overpayment counted were paid; when an approved
restoration frees them (a release cuts them, a disappearance's overpayment is voided) they
were payable — and are paid already: a later restoration never back-pays them.

238.00 a month, paid through ``M(-1)``; the province's suspension entry then says paid only
through the event's month (rewritten). Jailed on the 10th of ``M(-9)``, no end stated:
``M(-8)..M(-1)`` = 1,904.00 overpaid; a restoration states the release on the last day of
``M(-7)`` and back-pays ``M(0)``: ``M(-6)..M(-1)`` are cut (payable, paid). Missing since the
2nd of ``M(-6)``: ``M(-5)..M(-1)`` = 1,190.00 overpaid; the restoration of that suspension
back-pays ``M(0)`` and voids it (owed, paid). A second restoration of the same suspension
back-paying the freed months (1,428.00 / 1,190.00, resumed from ``M(0)``) was accepted and
approved: paid twice. It is ``months-already-counted`` (409), nothing stored.
"""

from __future__ import annotations

from typing import Any

from latekit import label
from procedurekit import Office, back_paid_months, month_day
from releasekit import balance, jailed_on, jailed_while_paid, released_restoration
from restorationkit import refused_unstored
from suspensionkit import confirmed, suspended_paid


async def refused_twice(office: Office, payload: dict[str, Any]) -> None:
    """``payload`` is months-already-counted (409), nothing stored."""
    await refused_unstored(
        office, "months-already-counted", lambda: office.post("/v1/restorations", "town-1", payload)
    )


async def test_months_a_release_cut_are_not_back_paid_again(office: Office) -> None:
    person, task = await jailed_while_paid(office, suspended_paid_through=-9)
    await office.approved("restorations", "town-1", await released_restoration(office, person))
    assert await balance(office, task) == (2, "476.00", "0.00", "476.00", "pending")
    await refused_twice(office, back_paid_months(person, jailed_on(), -6, -1, "1428.00"))


async def test_months_a_voided_disappearance_counted_are_not_back_paid_again(
    office: Office,
) -> None:
    person = office.people.person()
    await office.roster(person, paid_through=label(-1))
    task = await confirmed(office, person, "missing", month_day(-6, 2))
    await suspended_paid(office, person, month_day(-6, 2), -6)
    assert await balance(office, task) == (5, "1190.00", "0.00", "1190.00", "pending")
    payload = back_paid_months(person, month_day(-6, 2), 0, 0, "238.00")
    await office.approved("restorations", "town-1", payload)
    assert (await balance(office, task))[-1] == "voided"
    await refused_twice(office, back_paid_months(person, month_day(-6, 2), -5, -1, "1190.00"))


async def test_a_later_death_recovers_the_months_a_release_cut_as_paid(office: Office) -> None:
    person, _ = await jailed_while_paid(office, suspended_paid_through=-9)
    await office.approved("restorations", "town-1", await released_restoration(office, person))
    # died on the 15th of M(-5): M(-4)..M(-1) were paid by the roster before its entry was
    # rewritten, M(0) back-paid by the restoration — 5 x 238.00 = 1,190.00 (not 238.00)
    task = await office.confirmed_death(person, month_day(-5, 15))
    assert await balance(office, task) == (5, "1190.00", "0.00", "1190.00", "pending")
