"""No certification reminder to a pensioner whose death the hub confirmed (found correct).

Two pensioners certified in the app 11 months before this month (China time): both due
next month, so the month before it is the first of their two reminder slots. The death of
one is confirmed (on the 3rd of last month; the roster still says active): the sweep
queues one reminder, to the living pensioner, and never a second one in the same slot.
"""

from __future__ import annotations

from procedurekit import Office, month_day, today
from reminderkit import due_next_month, named

from certhub.hub.core.keys import STORE
from certhub.hub.register.reminders import ReminderSweep


async def test_the_dead_are_never_reminded(office: Office) -> None:
    store = office.client.app[STORE]
    living, dead = await due_next_month(office, 2)
    await office.confirmed_death(dead, month_day(-1, 3))
    sweep = ReminderSweep(store, per_cycle=2)
    assert await sweep.sweep(today()) == 1
    assert await sweep.sweep(today()) == 0  # the slot is counted
    entries = await store.audit_entries(0, 100_000)
    reminded = [e.subject for e in entries if e.action == "register_reminder"]
    assert len(reminded) == 1
    pending = {n[0]: n[1] for n in await store.pending_notices(1000)}
    assert named(reminded[0], pending[reminded[0]]).endswith(living["id_number"])
