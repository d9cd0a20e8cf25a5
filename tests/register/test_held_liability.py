"""The liability to suspension after a verification that held the reminders, by hand: the
rule (hub.rules.cycle.held_liability) and what the store reads of the verifications (both
ledgers). Months as (year, month); due December 2026 (liable from the 1st of January 2027
with no grace)."""

from __future__ import annotations

from datetime import date

from procedurekit import Office, month_day

from certhub.hub.core.keys import STORE
from certhub.hub.rules.cycle import held_liability
from certhub.hub.rules.months import month_index

from .test_reminders_verification_open import _filed

DUE = month_index(date(2026, 12, 1))


def test_a_verification_begun_before_liability_pushes_it_a_month_past_the_clearance() -> None:
    began, cleared = date(2026, 11, 20), date(2027, 2, 10)  # held through the due month
    assert held_liability(DUE, 0, [(began, cleared)]) == date(2027, 4, 1)
    assert held_liability(DUE, 1, [(began, cleared)]) == date(2027, 5, 1)  # plus the grace
    assert held_liability(DUE, 0, [(began, None)]) is None  # still on: not proposed
    assert held_liability(DUE, 0, [(began, date(2026, 12, 3))]) == date(2027, 2, 1)


def test_a_verification_cleared_early_or_begun_once_liable_changes_nothing() -> None:
    assert held_liability(DUE, 0, []) == date(2027, 1, 1)
    assert held_liability(DUE, 0, [(date(2026, 9, 1), date(2026, 10, 31))]) == date(2027, 1, 1)
    late = [(date(2027, 1, 1), None), (date(2027, 1, 5), date(2027, 3, 1))]
    assert held_liability(DUE, 0, late) == date(2027, 1, 1)  # liable already when reported


async def test_a_rejected_report_clears_at_its_decision(office_db: Office) -> None:
    office = office_db
    store = office.client.app[STORE]
    person = office.people.person()
    number = person["id_number"]
    await office.roster(person)
    item = await _filed(office, person, "imprisonment", month_day(-1, 3))
    record = await store.get_record(item)
    assert record is not None
    assert await store.reminder_holds([number]) == {number: [(record.received_at, None)]}
    assert (await office.decide("reports", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("reports", item, "county-1", "reject"))[0] == 202
    ((began, cleared),) = (await store.reminder_holds([number]))[number]
    assert began == record.received_at
    assert cleared is not None
    assert cleared > began  # the county's rejection, not the filing
    assert await store.reminder_holds([]) == {}
