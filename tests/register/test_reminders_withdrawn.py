"""A certification reminder queued earlier is not sent once it is wrong (SMS sent wrongly).

A reminder waits in the outbox until the SMS gateway takes it: retried with backoff
while the gateway is down or the roster has no mobile number, dead-lettered after the
last attempt and replayed by ops later. Three pensioners certified in the app on the 15th
of M(-11): due M(+1), so the sweep queues the first of their two reminders ("须在M(+1)月底前
完成") this month. Before the SMS goes out: the death of one is confirmed (the 3rd of
M(-1); the roster still says active), another certifies again (due M(+12) now).

Before, the SMS sender sent all three: a "please certify" SMS to the family of a
pensioner the hub had just confirmed dead, and one naming a due month the pensioner had
already met. Now the sender reads the register when it sends: a reminder goes out only
while the pensioner is active and its due month is still the register's and not past —
else it is withdrawn (delivered, nothing sent, logged). The third pensioner's goes out.
"""

from __future__ import annotations

from typing import Any

import pytest
from procedurekit import Office, month_day, today
from reminderkit import due_next_month, relaying_nothing, sent_through_checks

from certhub.hub.core.keys import STORE
from certhub.hub.register.reminders import ReminderSweep, reminder_notice
from certhub.hub.rules.months import month_index, month_label
from certhub.hub.rules.notices import reminder_due_month, reminder_withdrawn


@pytest.fixture
def office_settings() -> dict[str, Any]:
    """An office relaying nothing: the reminders the test's sweeps queue stay in the outbox
    while the test reads them (:func:`reminderkit.relaying_nothing`)."""
    return relaying_nothing()


async def test_a_queued_reminder_is_not_sent_to_the_dead_or_the_certified(office: Office) -> None:
    store = office.client.app[STORE]
    dead, certified, waiting = await due_next_month(office, 3)
    assert await ReminderSweep(store, per_cycle=2).sweep(today()) == 3
    queued: dict[str, Any] = {n[1]: n for n in await store.pending_notices(100)}
    assert set(queued) == {p["id_number"] for p in (dead, certified, waiting)}

    await office.confirmed_death(dead, month_day(-1, 3))
    await office.certified_in_app(certified)  # due M(+12) now

    assert await sent_through_checks(office, queued.values()) == [queued[waiting["id_number"]][0]]


async def test_a_reminder_replayed_after_its_due_month_is_not_sent(office: Office) -> None:
    """Replayed from the dead letters after its due month ended ("须在M(-1)月底前完成"), a
    reminder is withdrawn: the pensioner is overdue, the overdue list routes them."""
    person = office.people.person()
    await office.roster(person, contact_mobile="13800138000")
    await office.certified_in_app(
        person, f"{month_label(month_index(today()) - 13)}-15T10:00:00+08:00"
    )
    due = month_index(today()) - 1
    notice = reminder_notice(person["id_number"], person["name"], due, 2)
    row = (notice.notice_id, notice.person_id, notice.kind, notice.text)
    assert await sent_through_checks(office, [row]) == []


async def test_a_reminder_queued_before_a_death_report_is_withdrawn(office: Office) -> None:
    """Certified on the 15th of M(-11), due M(+1): both reminded this month, then both
    reported dead (the 3rd of M(-1), approved: a death task each) before the gateway took
    the SMS; one task cleared (found alive): only that one's reminder goes out (before,
    both did). Held by the sweep too: test_reminders_death_open.py."""
    store = office.client.app[STORE]
    held, cleared = await due_next_month(office, 2)
    assert await ReminderSweep(store, per_cycle=2).sweep(today()) == 2
    queued: dict[str, Any] = {n[1]: n for n in await store.pending_notices(100)}
    await office.reported_death(held, month_day(-1, 3))
    task = (await office.reported_death(cleared, month_day(-1, 3)))["task_id"]
    assert (await office.step(task, "county-1", "cleared"))[0] == 202

    assert await sent_through_checks(office, queued.values()) == [queued[cleared["id_number"]][0]]


def test_the_rule_reads_the_due_month_from_the_notice_id() -> None:
    due = 2027 * 12 + 2  # 2027-03
    notice = reminder_notice("440103195001010012", "张三", due, 1)
    assert reminder_due_month(notice.notice_id) == due
    assert reminder_due_month("result:123") is None
    send = {"status": "active", "due_month": due, "closed": False, "verifying": None}
    assert reminder_withdrawn(due, **send, month=due) is None  # in the due month: sent
    assert reminder_withdrawn(due, **send, month=due - 1) is None
    assert reminder_withdrawn(due, **send, month=due + 1) is not None  # overdue
    assert reminder_withdrawn(due, **(send | {"due_month": due + 12}), month=due) is not None
    assert reminder_withdrawn(due, **(send | {"closed": True}), month=due) is not None
    for kind in ("death", "imprisonment"):
        assert reminder_withdrawn(due, **(send | {"verifying": kind}), month=due) is not None
    for status in ("suspended", "terminated", None):
        assert reminder_withdrawn(due, **(send | {"status": status}), month=due) is not None
