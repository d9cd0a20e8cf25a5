"""No certification reminder while staff verify a report that the pensioner died, is in
prison, missing or no longer a citizen: the sweep and the send agree. SQLite and
PostgreSQL.

Eight pensioners certified in the app on the 15th of M(-11): covered M(-10)..M(+1), due
M(+1), so this month is the first of their two reminder slots (``reminder:M(+1):1:…``).
On the 3rd of M(-1) the city reports:

* one dead, the report still under review (filed, not yet approved: no task yet);
* one in prison, one missing, one no longer a citizen, each report approved: a task open;
* one receiving the pension twice (report approved: a duplicate_receipt task open), and one
  "other" report under review (家属反映联系不上);
* two nothing.

Decided per kind: a death, imprisonment, disappearance or loss of nationality being
verified ends or stops the benefit once confirmed, and a "please certify" SMS to the
family meanwhile is wrong (as the comparison's 免办 holds them); a duplicate receipt or an
"other" report questions no proof of life (the pensioner is alive and reachable: the
certification is still owed, and may settle the "other" report), so those are reminded.

Before, the sweep queued all 8 (only a death task open or in progress held a reminder); now 4
(the duplicate receipt, the "other" report and the two with nothing). A reminder queued
before the report is withdrawn when sent: before, both of two reminded (one then reported
in prison, approved; one reported dead, under review) went out; now neither. The death
report rejected, its reminder goes out at the next sweep of the slot's month.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from procedurekit import Office, evidence_payloads, month_day, today
from reminderkit import due_next_month, relaying_nothing, sent_through_checks

from certhub.hub.core.keys import STORE
from certhub.hub.register.reminders import ReminderSweep

from .test_reminders_death_open import queued, slot_one


@pytest.fixture
def office_settings() -> dict[str, Any]:
    """An office relaying nothing: the reminders the test's sweeps queue stay in the outbox
    while the test reads them (:func:`reminderkit.relaying_nothing`)."""
    return relaying_nothing()


async def _death_filed(office: Office, person: dict[str, Any], on: date) -> int:
    """The city's death report of ``person`` (a cremation certificate), not yet reviewed."""
    certificate = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    status, body = await office.post(
        "/v1/reports", "city", office.death_report(person, on, certificate)
    )
    assert status == 202, body
    return int(body["sequence"])


async def _filed(office: Office, person: dict[str, Any], reason: str, on: date) -> int:
    """The city's ``reason`` report of ``person``, not yet reviewed: its item."""
    report = office.people.eligibility_report() | {
        "reason": reason, "person": person, "event_date": on.isoformat(),
        "region": person["region"], "remarks": "家属反映联系不上",
    }  # fmt: skip
    status, body = await office.post("/v1/reports", "city", report)
    assert status == 202, body
    return int(body["sequence"])


async def test_reminders_wait_while_a_loss_of_eligibility_is_verified(office_db: Office) -> None:
    office = office_db
    sweep = ReminderSweep(office.client.app[STORE], per_cycle=2)
    people = await due_next_month(office, 8)
    dead, jailed, missing, emigrated, twice, other, *plain = people
    death_report = await _death_filed(office, dead, month_day(-1, 3))
    await office.reported(jailed, "imprisonment", month_day(-1, 3))
    await office.reported(missing, "missing", month_day(-1, 3))
    await office.reported(emigrated, "loss_of_nationality", month_day(-1, 3))
    await office.reported(twice, "duplicate_receipt", month_day(-1, 3))
    await _filed(office, other, "other", month_day(-1, 3))

    assert await sweep.sweep(today()) == 4
    assert await queued(office) == {slot_one(p) for p in (twice, other, *plain)}
    assert (await office.decide("reports", death_report, "county-1", "reject"))[0] == 202
    assert await sweep.sweep(today()) == 1  # not dead after all: reminded in this slot
    assert slot_one(dead) in await queued(office)


async def test_a_queued_reminder_is_withdrawn_once_reported(office_db: Office) -> None:
    office = office_db
    store = office.client.app[STORE]
    jailed, dead, plain = await due_next_month(office, 3)
    assert await ReminderSweep(store, per_cycle=2).sweep(today()) == 3
    notices: dict[str, Any] = {n[1]: n for n in await store.pending_notices(100)}
    await office.reported(jailed, "imprisonment", month_day(-1, 3))
    await _death_filed(office, dead, month_day(-1, 3))

    assert await sent_through_checks(office, notices.values()) == [notices[plain["id_number"]][0]]
