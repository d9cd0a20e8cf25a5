"""A restoration's "overdue" check reads the day a verification's clearance made the pensioner
liable, as the suspension sweep and the overdue list do. SQLite and PostgreSQL.

Last certified in the app on the 15th of M(-12): due M(0), liable from the 1st of M(+1).
This month the city reports them in prison (their reminders held); the county rejects the
report the same month (found free): liable from the 1st of M(+2), the rest of M(0) and M(+1)
to certify (the overdue list's ``liable_from``, the sweep, the reminders naming M(+1)).

Before, a restoration checked on a day of M(+1) read them as liable already ("overdue, due
M(0)": suspended, or would now be, for non-certification) and refused staff's restoration of
the province's suspension (``restoration-other-suspension``) in the very month the hub's own
reminders gave them to certify. Now the check and the sweep agree: liable from the 1st of
M(+2), refused from that day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

from procedurekit import Office, month_day, today

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.procedure.reversals import hub_findings
from certhub.hub.register.suspensions import liable_after
from certhub.hub.rules.months import month_index, month_label
from certhub.schemas import SuspensionReason
from certhub.schemas.clock import CHINA_STANDARD_TIME

from .test_reminders_verification_open import _filed


async def test_found_free_is_not_liable_before_the_day_the_sweep_gives(office_db: Office) -> None:
    office = office_db
    app = office.client.app
    person = office.people.person()
    number = person["id_number"]
    await office.roster(person)
    await office.certified_in_app(
        person, f"{month_label(month_index(today()) - 12)}-15T10:00:00+08:00"
    )  # due M(0)
    report = await _filed(office, person, "imprisonment", month_day(-1, 3))
    assert (await office.decide("reports", report, "county-1", "reject"))[0] == 202
    row = await app[STORE].register_person(number)
    assert row is not None
    assert await liable_after(app[STORE], [row], 0) == {number: month_day(2)}

    def on(day: date) -> datetime:
        return datetime.combine(day, time(12), CHINA_STANDARD_TIME)

    for day, liable in ((month_day(1, 15), False), (month_day(2), True)):
        ctx = replace(app[PROCEDURE], clock=lambda day=day: on(day))
        found = await hub_findings(ctx, number)
        reasons = [s.reason for s in found.suspensions]
        assert reasons == ([SuspensionReason.not_certified] if liable else []), day  # before:
        # not_certified on the 15th of M(+1)
