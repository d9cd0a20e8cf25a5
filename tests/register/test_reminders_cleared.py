"""A pensioner whose reminders a verification held, found alive after the reminder slots
passed, gets the reminders the hold kept from them before the later day they become liable,
naming that deadline. SQLite and PostgreSQL.

Four pensioners certified in the app on the 15th of M(-12): covered M(-11)..M(0), due M(0)
(reminder slots: 1 in M(-1), 2 in M(0)), liable from the 1st of M(+1) (no grace). The
city reports each dead (event the 3rd of M(-1)). The ledger stamps a report and its
clearance with the time they happen (this month, M(0): a test cannot backdate them), so
the sweeps run on the days the test names: the sweeps of M(-1) and M(0) find all four held
(REMINDER_HOLDS: none queued). Then, after the last sweep of M(0), the county clears one's
death task (found alive) and rejects another's report; the third's task stays open, the
fourth's report under review.

Found alive in M(0), the two are liable from the 1st of M(+2) (liable_from's ``cleared``:
the clearance's month M(0) + 2; the overdue list says so), so they must certify by the last
day before it, the end of M(+1): month_end(1). Their slot 2 opens in M(+1) (slot k opens
per_cycle - k = 2 - 2 = 0 months before M(+1)): the sweep on the 1st of M(+1) queues one
each, ``reminder:M(0):2:<who>:M(+1)``, its text "须在<M(+1)>月底前完成". Before: none (the
due month M(0) has passed; the sweep of M(+1) looks at M(+1)..M(+2) only), and the sweep of
the 1st of M(+2) proposed the suspension of a living pensioner never reminded. The two still
under verification: never reminded. The sweep again in M(+1): nothing (the slot counted); in
M(+2): nothing (liable).

A reminder sent before the hold counts: one reminded in M(-1) (slot 1, "by the end of M(0)"),
then reported and cleared in M(0), gets slot 1 of M(+1) counted already, so nothing more in
M(0) and slot 2 in M(+1): two in all, as per cycle (before: slot 2 in M(0) "by the end of
M(0)", a deadline the clearance had moved, and nothing in M(+1)).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from procedurekit import Office, month_day, month_end, today
from reminderkit import due_in, named, relaying_nothing, reminders_waiting, sent_through_checks

from certhub.hub.core.keys import STORE
from certhub.hub.register.reminders import ReminderSweep, reminder_notice
from certhub.hub.rules.notices import reminder_due_month, reminder_until_month, reminder_withdrawn

from .test_reminders_verification_open import _death_filed


@pytest.fixture
def office_settings() -> dict[str, Any]:
    """An office relaying nothing: the reminders the test's sweeps queue stay in the outbox
    while the test reads them (:func:`reminderkit.relaying_nothing`)."""
    return relaying_nothing()


def _late(person: dict[str, Any], slot: int) -> str:
    """The id of ``person``'s reminder for slot ``slot`` of due month M(0), sent after a
    clearance moved the deadline to the end of M(+1); computed apart from the hub's."""
    return f"reminder:{today():%Y-%m}:{slot}:{person['id_number']}:{month_day(1):%Y-%m}"


def _by_end_of_next_month() -> str:
    """The deadline the late reminders name: the day before the 1st of M(+2), the end of
    M(+1) (month_end(1)), as the SMS writes it."""
    deadline = month_end(1)
    assert deadline == month_day(2) - timedelta(days=1)
    return f"须在{deadline.year}年{deadline.month}月底前完成"


async def test_found_alive_after_the_slots_reminded_before_liable(office_db: Office) -> None:
    office = office_db
    sweep = ReminderSweep(office.client.app[STORE], per_cycle=2)
    cleared, rejected, still_open, under_review = await due_in(office, 4, 0)
    task = (await office.reported_death(cleared, month_day(-1, 3)))["task_id"]
    await office.reported_death(still_open, month_day(-1, 3))
    report = await _death_filed(office, rejected, month_day(-1, 3))
    await _death_filed(office, under_review, month_day(-1, 3))
    assert await sweep.sweep(month_day(-1, 10)) == 0  # slot 1: all held
    assert await sweep.sweep(month_day(0, 10)) == 0  # slot 2: all held

    assert (await office.step(task, "county-1", "cleared"))[0] == 202  # found alive
    assert (await office.decide("reports", report, "county-1", "reject"))[0] == 202
    status, page = await office.get("/v1/register/overdue", limit="50", on=month_day(1).isoformat())
    assert status == 200, page
    liable = {e["person"]["id_number"]: e["liable_from"] for e in page["items"]}
    assert liable[cleared["id_number"]] == liable[rejected["id_number"]] == month_day(2).isoformat()

    assert await sweep.sweep(month_day(1)) == 2  # before: 0
    texts = await reminders_waiting(office)
    assert set(texts) == {_late(cleared, 2), _late(rejected, 2)}
    assert all(_by_end_of_next_month() in text for text in texts.values())
    assert await sweep.sweep(month_day(1, 20)) == 0  # the slot is counted
    assert await sweep.sweep(month_day(2)) == 0  # liable now: no reminder
    assert set(await reminders_waiting(office)) == {_late(cleared, 2), _late(rejected, 2)}
    waiting = await office.client.app[STORE].pending_notices(100)
    pending = [n for n in waiting if named(n[0], n[1]) in texts]
    assert len(pending) == 2
    assert set(await sent_through_checks(office, pending)) == {n[0] for n in pending}  # sent


async def test_a_reminder_before_the_hold_counts(office_db: Office) -> None:
    office = office_db
    sweep = ReminderSweep(office.client.app[STORE], per_cycle=2)
    (person,) = await due_in(office, 1, 0)
    assert await sweep.sweep(month_day(-1, 10)) == 1  # slot 1, before the report
    (first,) = await reminders_waiting(office)
    assert first == f"reminder:{today():%Y-%m}:1:{person['id_number']}"
    report = await _death_filed(office, person, month_day(-1, 3))
    assert await sweep.sweep(month_day(0, 10)) == 0  # held
    assert (await office.decide("reports", report, "county-1", "reject"))[0] == 202

    assert await sweep.sweep(month_day(0, 20)) == 0  # before: 1 (slot 2, "by the end of M(0)")
    assert await sweep.sweep(month_day(1)) == 1  # before: 0
    texts = await reminders_waiting(office)
    assert set(texts) == {first, _late(person, 2)}
    assert _by_end_of_next_month() in texts[_late(person, 2)]
    assert await sweep.sweep(month_day(1, 20)) == 0  # two in all: per_cycle


def test_the_send_check_reads_the_later_deadline_from_the_notice_id() -> None:
    due = 2027 * 12 + 2  # 2027-03; cleared in 2027-04: liable from 2027-06-01, until 2027-05
    until = due + 2
    notice = reminder_notice("440103195001010012", "张三", due, 2, until)
    assert notice.notice_id.startswith("reminder:2027-03:2:")
    assert notice.notice_id.endswith(":2027-05")
    assert "须在2027年5月底前完成" in notice.text
    assert reminder_due_month(notice.notice_id) == due
    assert reminder_until_month(notice.notice_id) == until
    send: dict[str, Any] = {
        "status": "active",
        "due_month": due,
        "closed": False,
        "verifying": None,
    }
    later = reminder_until_month(notice.notice_id)
    assert reminder_withdrawn(due, **send, month=due + 1, until=later) is None  # before: withdrawn
    assert reminder_withdrawn(due, **send, month=until, until=later) is None
    assert reminder_withdrawn(due, **send, month=until + 1, until=later) is not None  # liable
    usual = reminder_notice("440103195001010012", "张三", due, 2)
    assert reminder_until_month(usual.notice_id) == due  # the usual one: its due month
    assert reminder_withdrawn(due, **send, month=due + 1, until=due) is not None
