"""No certification reminder while a reported death is being verified (SMS sent wrongly).

Four pensioners certified in the app on the 15th of M(-11): covered M(-10)..M(+1), due
M(+1), so this month is the first of their two reminder slots (``reminder:M(+1):1:…``).
The city reports three of them dead on the 3rd of M(-1), each report accepted by the town
and approved by the county: a death verification task opens for each. One task stays open,
one is cleared (found alive), one confirmed.

Before, the sweep reminded the one whose task is open too: the family was asked to certify
a person the departments report dead while staff verify it. Now a person with a death task
open or in progress is held as 免办 and restorations are (``task_open``,
``restoration-verification-open``): not reminded (and a reminder queued earlier is
withdrawn when it is sent: test_reminders_withdrawn.py); cleared, the person is reminded
as anyone (this month's slot); confirmed, never (the hub's closure). SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from procedurekit import Office, month_day, today
from reminderkit import due_next_month, relaying_nothing, reminders_waiting

from certhub.hub.core.keys import STORE
from certhub.hub.register.reminders import ReminderSweep


@pytest.fixture
def office_settings() -> dict[str, Any]:
    """An office relaying nothing: the reminders the test's sweeps queue stay in the outbox
    while the test reads them (:func:`reminderkit.relaying_nothing`)."""
    return relaying_nothing()


def slot_one(person: dict[str, Any]) -> str:
    """This month's reminder of ``person`` due M(+1), named by the person
    (:func:`reminderkit.named`)."""
    return f"reminder:{month_day(1):%Y-%m}:1:{person['id_number']}"


async def queued(office: Office) -> set[str]:
    """The certification reminders in the outbox, named by their person (not the family's
    termination SMS a confirmation queues, which the relay may not have taken yet)."""
    return set(await reminders_waiting(office))


async def test_a_death_under_verification_holds_the_reminder(office_db: Office) -> None:
    office = office_db
    sweep = ReminderSweep(office.client.app[STORE], per_cycle=2)
    plain, held, cleared, dead = await due_next_month(office, 4)
    task = (await office.reported_death(held, month_day(-1, 3)))["task_id"]
    cleared_task = (await office.reported_death(cleared, month_day(-1, 3)))["task_id"]
    assert (await office.step(cleared_task, "county-1", "cleared"))[0] == 202
    await office.confirmed_death(dead, month_day(-1, 3))

    assert await sweep.sweep(today()) == 2
    assert await queued(office) == {slot_one(plain), slot_one(cleared)}
    assert (await office.step(task, "town-1", "in_progress"))[0] == 202
    assert await sweep.sweep(today()) == 0  # in progress: still held

    assert (await office.step(task, "county-1", "cleared"))[0] == 202  # found alive
    assert await sweep.sweep(today()) == 1
    assert await queued(office) == {slot_one(plain), slot_one(cleared), slot_one(held)}
    assert await sweep.sweep(today()) == 0  # the slot is counted
