"""Through the hub's HTTP API: the months the roster paid after the end of sentence an
imprisonment's confirmation stated were payable — and paid: a later entry rewriting
``paid_through`` back does not make them unpaid.

Months are counted from this month (China time) — in December 2026: on the roster at
238.00, paid through ``M(-1)`` (2026-11); jailed on the 10th of ``M(-9)`` (2026-03-10),
confirmed with the sentence to the last day of ``M(-7)`` (2026-05-31): ``M(-8)..M(-7)`` =
476.00 overpaid, ``M(-6)..M(-1)`` payable and paid. The province then suspends the person,
its entry saying paid through ``M(-9)`` only (rewritten). Before the fix the hub read the
rewritten entry alone: a restoration back-paying ``M(-6)..M(-1)`` (1,428.00) was accepted
(paid twice); a release stated at the end of ``M(-4)`` added no prison month (``M(-6)..M(-4)``
= 714.00 paid in prison never recovered); a death on the 15th of ``M(-5)`` recovered nothing
(``M(-4)..M(-1)`` = 952.00 paid after the death lost).
"""

from __future__ import annotations

from typing import Any

from procedurekit import Office, back_paid_months, month_day
from releasekit import balance, jailed_on, label, released_restoration
from restorationkit import refused_unstored
from suspensionkit import jailed, suspended_paid


async def served_then_rewritten(office: Office) -> tuple[dict[str, Any], str]:
    """The person paid through M(-1), jailed on the 10th of M(-9), confirmed with the sentence to
    the last day of M(-7) (476.00 overpaid), then suspended by the province since that day with
    its entry rewritten to paid through M(-9): the person and the task."""
    person, task = await jailed(office, jailed_on(), paid_through=-1, until=-7)
    assert await balance(office, task) == (2, "476.00", "0.00", "476.00", "pending")
    await suspended_paid(office, person, jailed_on(), -9)
    return person, task


async def paid_already(office: Office, person: dict[str, Any]) -> None:
    """Back pay of M(-6)..M(-1) (1,428.00, resumed from M(0)) is months-already-counted
    (409), nothing stored."""
    payload = back_paid_months(person, jailed_on(), -6, -1, "1428.00")
    await refused_unstored(
        office, "months-already-counted", lambda: office.post("/v1/restorations", "town-1", payload)
    )


async def test_months_paid_after_the_stated_sentence_are_not_back_paid(office_db: Office) -> None:
    office = office_db
    person, _ = await served_then_rewritten(office)
    await paid_already(office, person)
    # the month not paid yet is restored: M(0) = 238.00, payment resumed from M(1)
    payload = back_paid_months(person, jailed_on(), 0, 0, "238.00")
    await office.approved("restorations", "town-1", payload)


async def test_a_later_release_recovers_the_prison_months_paid_before_the_rewrite(
    office_db: Office,
) -> None:
    office = office_db
    person, task = await served_then_rewritten(office)
    payload = await released_restoration(office, person, offset=-4)
    await office.approved("restorations", "town-1", payload)
    # M(-6)..M(-4) were prison months the roster paid: 3 x 238.00 = 714.00 more, 1,190.00
    assert await balance(office, task) == (5, "1190.00", "0.00", "1190.00", "pending")


async def test_a_later_death_recovers_the_months_paid_after_the_sentence(office_db: Office) -> None:
    office = office_db
    person, _ = await served_then_rewritten(office)
    # died on the 15th of M(-5): M(-4)..M(-1) were paid = 4 x 238.00 = 952.00
    task = await office.confirmed_death(person, month_day(-5, 15))
    assert await balance(office, task) == (4, "952.00", "0.00", "952.00", "pending")


async def test_months_a_late_entry_paid_after_the_sentence_are_not_back_paid(
    office_db: Office,
) -> None:
    office = office_db
    person, task = await jailed(office, jailed_on(), paid_through=-9, until=-7)
    # the province late to stop: paid through M(-1) adds M(-8)..M(-7) = 476.00 alone
    await office.roster(person, paid_through=label(-1))
    assert await balance(office, task) == (2, "476.00", "0.00", "476.00", "pending")
    await suspended_paid(office, person, jailed_on(), -9)
    await paid_already(office, person)


async def test_an_earlier_release_cuts_the_stated_sentence_once(office_db: Office) -> None:
    office = office_db
    person, task = await jailed(office, jailed_on(), paid_through=-1, until=-4)
    # M(-8)..M(-4) = 5 x 238.00 = 1,190.00 overpaid; M(-3)..M(-1) paid, claimed as paid
    assert await balance(office, task) == (5, "1190.00", "0.00", "1190.00", "pending")
    await suspended_paid(office, person, jailed_on(), -9)
    # out on the last day of M(-7): M(-6)..M(-4) cut (714.00), claimed as paid beside them
    await office.approved("restorations", "town-1", await released_restoration(office, person))
    assert await balance(office, task) == (2, "476.00", "0.00", "476.00", "pending")
    await paid_already(office, person)
