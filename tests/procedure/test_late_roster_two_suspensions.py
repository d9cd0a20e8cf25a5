"""Through the hub's HTTP API, on SQLite and PostgreSQL: a late roster entry adds the months
paid during each standing suspension to that suspension's task, not the first confirmed's
alone.

238.00 a month (the kit's roster), paid through ``M(-9)``. Jailed on the 10th of ``M(-9)``,
confirmed with the sentence's end stated, the last day of ``M(-7)`` (no restoration filed:
the suspension stands); missing since the 10th of ``M(-4)``, confirmed: nothing overpaid
yet. The province's entry paid through ``M(-1)``: the imprisonment's ``M(-8)..M(-7)`` =
476.00, the disappearance's ``M(-3)..M(-1)`` = 714.00 (``M(-6)..M(-4)`` payable). Before,
the first confirmed suspension alone was read: 476.00, the missing person's 714.00 never
recovered.
"""

from __future__ import annotations

from latekit import balance, label
from procedurekit import Office, month_day
from suspensionkit import confirmed


async def test_each_standing_suspension_takes_its_months(office_db: Office) -> None:
    office = office_db
    person = office.people.person()
    await office.roster(person, paid_through=label(-9))
    jailed = await confirmed(office, person, "imprisonment", month_day(-9, 10), until=-7)
    missing = await confirmed(office, person, "missing", month_day(-4, 10))
    assert (await balance(office, jailed))[0] == 404
    assert (await balance(office, missing))[0] == 404
    await office.roster(person, paid_through=label(-1))
    assert await balance(office, jailed) == (200, (2, "476.00", "0.00", "pending"))
    assert await balance(office, missing) == (200, (3, "714.00", "0.00", "pending"))
    size = await office.ledger_size()
    await office.roster(person, paid_through=label(-1))  # the same entry again: nothing more
    assert await balance(office, jailed) == (200, (2, "476.00", "0.00", "pending"))
    assert await balance(office, missing) == (200, (3, "714.00", "0.00", "pending"))
    assert await office.ledger_size() == size + 1


async def test_a_death_after_an_imprisonment_leaves_it_its_months(office_db: Office) -> None:
    """Jailed on the 10th of M(-3), confirmed with no end stated while paid through M(-3);
    died on the 5th of M(-1), confirmed (the closure): nothing overpaid yet. The entry paid
    through M(0): the imprisonment's M(-2)..M(-1) = 476.00, the death's M(0) = 238.00.
    Before, the closure alone was read: M(0), the 476.00 paid to a prisoner never
    recovered."""
    office = office_db
    person = office.people.person()
    await office.roster(person, paid_through=label(-3))
    jailed, died = month_day(-3, 10), month_day(-1, 5)
    task = await confirmed(office, person, "imprisonment", jailed)
    death = await office.confirmed_death(person, died)
    assert (await balance(office, task))[0] == 404
    assert (await balance(office, death))[0] == 404
    await office.roster(person, paid_through=label(0))
    assert await balance(office, task) == (200, (2, "476.00", "0.00", "pending"))
    assert await balance(office, death) == (200, (1, "238.00", "0.00", "pending"))
    await office.roster(person, paid_through=label(0))  # the same entry again: nothing more
    assert await balance(office, task) == (200, (2, "476.00", "0.00", "pending"))
    assert await balance(office, death) == (200, (1, "238.00", "0.00", "pending"))
