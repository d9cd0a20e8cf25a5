"""Through the hub's HTTP API: months the province paid after a confirmed death, shown by a
later roster entry, are added to the task's overpayment — never a month twice.

238.00 a month (the kit's roster). Died on the 15th of ``M(-3)``, confirmed while the
roster paid through ``M(-3)`` (the event's month is payable): nothing overpaid. The province,
late to stop payment, sends an entry paid through ``M(-1)``: ``M(-2)..M(-1)`` = 476.00
overpaid (``overpayment:<task>``); one through ``M(0)``: ``M(0)`` = 238.00 more
(``overpayment:<task>:2``), 714.00 in all. Before, the hub kept the overpayment it computed at
the confirmation, and the months paid after were never recovered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from latekit import balance, label, signed
from procedurekit import Office, month_day, month_end, recovery


async def test_months_paid_after_the_death_are_added_once(office: Office) -> None:
    person = office.people.person()
    await office.roster(person, paid_through=label(-3))
    task = await office.confirmed_death(person, month_day(-3, 15))
    assert (await balance(office, task))[0] == 404  # nothing overpaid at the confirmation

    await office.roster(person, paid_through=label(-1))
    assert await balance(office, task) == (200, (2, "476.00", "0.00", "pending"))
    await office.roster(person, paid_through=label(0))
    assert await balance(office, task) == (200, (3, "714.00", "0.00", "pending"))
    assert await signed(office, task) == {
        f"overpayment:{task}": (month_day(-2).isoformat(), month_end(-1).isoformat(), 2, "476.00"),
        f"overpayment:{task}:2": (month_day(0).isoformat(), month_end(0).isoformat(), 1, "238.00"),
    }
    # the same months again, and an older entry paying further: nothing added
    await office.roster(person, paid_through=label(0))
    old = (datetime.now(UTC) - timedelta(days=400)).isoformat()
    await office.roster(person, paid_through=label(1), as_of=old)
    assert await balance(office, task) == (200, (3, "714.00", "0.00", "pending"))
    assert len(await signed(office, task)) == 2


async def test_a_recovered_overpayment_grows_by_the_months_paid_after(office: Office) -> None:
    """Confirmed while paid through M(-1): M(-2)..M(-1) = 476.00, recovered in full; an entry
    paid through M(0) adds 238.00: 714.00, partly recovered."""
    person = office.people.person()
    await office.roster(person, paid_through=label(-1))
    task = await office.confirmed_death(person, month_day(-3, 15))
    path = f"/v1/overpayments/{task}/recoveries"
    status, body = await office.post(path, "det-1", recovery(task, "476.00", reference="BR-1"))
    assert status == 202, body
    assert await balance(office, task) == (200, (2, "476.00", "476.00", "recovered"))
    await office.roster(person, paid_through=label(0))
    assert await balance(office, task) == (200, (3, "714.00", "476.00", "partially_recovered"))
    status, body = await office.post(path, "det-1", recovery(task, "238.00", reference="BR-2"))
    assert status == 202, body
    assert await balance(office, task) == (200, (3, "714.00", "714.00", "recovered"))


async def test_an_amount_restated_changes_no_month_counted(office: Office) -> None:
    """Confirmed while paid through M(-1) at 238.00: M(-2)..M(-1) = 476.00. An entry at 250.00
    paid through M(0) states one amount, not the months it applies to: M(0) is added at
    250.00 (726.00), M(-2)..M(-1) stay at 238.00 each — never re-computed in silence."""
    person = office.people.person()
    await office.roster(person, paid_through=label(-1))
    task = await office.confirmed_death(person, month_day(-3, 15))
    await office.roster(person, paid_through=label(0), monthly_amount="250.00")
    assert await balance(office, task) == (200, (3, "726.00", "0.00", "pending"))
    await office.roster(person, paid_through=label(0), monthly_amount="200.00")
    assert await balance(office, task) == (200, (3, "726.00", "0.00", "pending"))
    assert await signed(office, task) == {
        f"overpayment:{task}": (month_day(-2).isoformat(), month_end(-1).isoformat(), 2, "476.00"),
        f"overpayment:{task}:2": (month_day(0).isoformat(), month_end(0).isoformat(), 1, "250.00"),
    }
