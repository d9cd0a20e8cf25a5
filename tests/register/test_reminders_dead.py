"""No certification reminder to a pensioner whose death the hub confirmed (found correct).

Two pensioners certified in the app 11 months before this month (China time): both due
next month, so the month before it is the first of their two reminder slots. The death of
one is confirmed (on the 3rd of last month; the roster still says active): the sweep
queues one reminder, to the living pensioner, and never a second one in the same slot.
"""

from __future__ import annotations

import hashlib

from procedurekit import Office, month_day, today

from certhub.hub.core.keys import STORE
from certhub.hub.register.reminders import ReminderSweep
from certhub.hub.rules.months import month_index, month_label


async def test_the_dead_are_never_reminded(office: Office) -> None:
    store = office.client.app[STORE]
    living, dead = office.people.person(), office.people.person()
    certified = month_label(month_index(today()) - 11)
    for person in (living, dead):
        await office.roster(person, contact_mobile="13800138000")
        await office.certified_in_app(person, f"{certified}-15T10:00:00+08:00")
    await office.confirmed_death(dead, month_day(-1, 3))
    sweep = ReminderSweep(store, per_cycle=2)
    assert await sweep.sweep(today()) == 1
    assert await sweep.sweep(today()) == 0  # the slot is counted
    entries = await store.audit_entries(0, 100_000)
    reminded = [e.subject for e in entries if e.action == "register_reminder"]
    assert len(reminded) == 1
    assert reminded[0].endswith(who(living["id_number"]))  # the delivery id's digest
    assert not any(s.endswith(who(dead["id_number"])) for s in reminded)


def who(person_id: str) -> str:
    """The digest a reminder's delivery id names the person by, computed apart."""
    return hashlib.sha256(person_id.encode()).hexdigest()[:20]
