"""No certification reminder and no suspension proposal for non-certification while a
suspension the hub decided on a confirmed imprisonment or disappearance stands (SQLite and
PostgreSQL).

Four pensioners certified in the app on the 15th of M(-11): covered M(-10)..M(+1), due
M(+1), so this month is the first of their two reminder slots, and they are liable to
suspension from the 1st of M(+2) (no grace). The city reports one in prison and one missing
(event the 3rd of M(-1)) and the county confirms both: the hub signs their suspensions
(``suspension:<task>``); the province's roster still says ``active`` until it applies them.
A third was reminded this month before the county confirmed their imprisonment; the fourth
has nothing.

README (Reminders): a pensioner reported dead, in prison, missing or no longer a citizen is
held while it is verified; "confirmed, never". So: this month's sweep reminds the fourth
only (1; before, 3: the prisoner's and the missing person's families were asked to certify
them); the reminder queued before the third's confirmation is withdrawn when sent (before,
sent); and on the 1st of M(+2) the proposal sweep proposes the fourth only (1; before, 3: a
second suspension, for non-certification, proposed of people whose payment the hub already
stopped, the task having "ended or stopped the benefit itself" (README, Overdue)).
"""

from __future__ import annotations

from typing import Any

import pytest
from latekit import label
from procedurekit import Office, back_paid_months, month_day, today
from reminderkit import due_next_month, relaying_nothing, sent_through_checks
from suspensionkit import confirmed, release_stated, suspended_paid

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.reminders import ReminderSweep
from certhub.hub.register.suspensions import ProposalSweep

from .test_reminders_death_open import queued, slot_one


@pytest.fixture
def office_settings() -> dict[str, Any]:
    """An office relaying nothing: the reminders the test's sweeps queue stay in the outbox
    while the test reads them (:func:`reminderkit.relaying_nothing`)."""
    return relaying_nothing()


async def _proposed(office: Office) -> list[str]:
    """The ID numbers the hub's suspension proposals name, in ledger order."""
    rows = await office.client.app[STORE]._read(
        "SELECT person_id FROM ledger WHERE message_type = 'suspension_proposal/v1'"
        " ORDER BY sequence",
        (),
    )
    return [str(person) for (person,) in rows]


async def test_no_reminder_nor_proposal_while_the_hubs_suspension_stands(
    office_db: Office,
) -> None:
    office = office_db
    app = office.client.app
    sweep = ReminderSweep(app[STORE], per_cycle=2)
    jailed, missing, reminded, plain = await due_next_month(office, 4)
    await confirmed(office, jailed, "imprisonment", month_day(-1, 3))
    await confirmed(office, missing, "missing", month_day(-1, 3))
    assert await sweep.sweep(today()) == 2  # before: 4 (the two confirmed too)
    assert await queued(office) == {slot_one(reminded), slot_one(plain)}
    pending = await app[STORE].pending_notices(100)
    reminders = [n for n in pending if n[0].startswith("reminder:")]
    await confirmed(office, reminded, "imprisonment", month_day(-1, 3))
    sent = await sent_through_checks(office, reminders)
    assert sent == [
        n[0] for n in reminders if n[1] == plain["id_number"]
    ]  # before: the third's too

    proposals = ProposalSweep(app[STORE], app[PROCEDURE].outcomes, grace_months=0)
    assert await proposals.sweep(month_day(2)) == 1  # before: 4
    assert await _proposed(office) == [plain["id_number"]]


async def test_reminded_again_once_a_restoration_ends_the_hubs_suspension(
    office_db: Office,
) -> None:
    """Certified on the 15th of M(-11) (due M(+1)), paid through M(-6), jailed on the 10th of
    M(-6) and confirmed (sentence to the last day of M(-3): nothing overpaid); the province
    suspends them from that day. Released, town staff restore them: back pay M(-2)..M(-1) = 476.00,
    payment resumed from M(0), approved; the roster says ``active`` again. The hub's
    suspension no longer stands: this month's slot reminds them (1)."""
    office = office_db
    app = office.client.app
    (person,) = await due_next_month(office, 1)
    await office.roster(person, contact_mobile="13800138000", paid_through=label(-6))
    await confirmed(office, person, "imprisonment", month_day(-6, 10), -3)
    assert await ReminderSweep(app[STORE], per_cycle=2).sweep(today()) == 0  # stopped
    await suspended_paid(office, person, month_day(-6, 10), -6)
    released = await release_stated(office, -3)
    payload = back_paid_months(person, month_day(-6, 10), -2, -1, "476.00", **released)
    await office.approved("restorations", "town-1", payload)
    await office.roster(person, contact_mobile="13800138000")
    assert await ReminderSweep(app[STORE], per_cycle=2).sweep(today()) == 1
    assert await queued(office) == {slot_one(person)}
