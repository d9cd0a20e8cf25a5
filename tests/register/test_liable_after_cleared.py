"""A pensioner whose reminders a verification held is not proposed for suspension while it
lasts, and once found alive is liable only from the 1st of the second month after the
clearance; the sweep and the overdue list's ``liable_from`` agree. SQLite and PostgreSQL.
238.00 a month.

Five pensioners certified in the app on the 15th of M(-12): covered M(-11)..M(0), due M(0)
(this month, their reminders' second slot), liable from the 1st of M(+1) as the settings
say (no grace). This month, before that day, the city reports (event the 3rd of M(-1)):

* one dead (the report approved: the death task open), one in prison (the report under
  review): each holds their reminders (hub.rules.notices.REMINDER_HOLDS), so neither is
  asked to certify while staff verify it;
* one receiving the pension twice (under review: holds nothing, reminded as usual);
* two nothing.

Still being verified on the 1st of M(+1), the two are not proposed (before: all 5 - two
pensioners the departments report dead or in prison, whose confirmation ends or stops the
benefit itself). The county then clears the death task (found alive) and rejects the
imprisonment report, on a day of M(0). Before, both were proposed on the 1st of M(+1)
(liable from the due month's end: 238.00 a month suspended for a pensioner the county
found alive, whose reminders were held); now each is liable from the 1st of M(+2) - the
rest of the clearance month and a whole one more to certify, the two reminder slots' length
- in the overdue list as in the sweep, which proposes them on the 1st of M(+2) with that
``liable_from``. The other three are liable from the 1st of M(+1), as before. A
verification begun after the person became liable changes nothing (the restoration tests'
death reported of a pensioner overdue since M(-3): proposed at once, as before).
"""

from __future__ import annotations

from procedurekit import Office, month_day, today

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.suspensions import ProposalSweep
from certhub.hub.rules.months import month_index, month_label

from .test_overdue_to_restored import outcomes
from .test_reminders_verification_open import _death_filed, _filed


def _next() -> str:
    return month_day(1).isoformat()


def _after() -> str:
    return month_day(2).isoformat()


async def _liable(office: Office, on: str) -> dict[str, str]:
    """The overdue list's ``liable_from`` on day ``on``, by ID number."""
    status, page = await office.get("/v1/register/overdue", limit="50", on=on)
    assert status == 200, page
    return {e["person"]["id_number"]: e["liable_from"] for e in page["items"]}


async def _proposed(office: Office) -> dict[str, str]:
    """The sweep's proposals: ``liable_from`` by ID number."""
    return {
        p["payload"]["person"]["id_number"]: p["payload"]["liable_from"]
        for p in await outcomes(office, "suspension_proposal/v1")
    }


async def test_liable_a_month_after_a_verification_cleared(office_db: Office) -> None:
    office = office_db
    app = office.client.app
    sweep = ProposalSweep(app[STORE], app[PROCEDURE].outcomes, grace_months=0)
    certified = f"{month_label(month_index(today()) - 12)}-15T10:00:00+08:00"
    people = [office.people.person() for _ in range(5)]
    for person in people:
        await office.roster(person, contact_mobile="13800138000")
        await office.certified_in_app(person, certified)
    dead, jailed, twice, *plain = (p["id_number"] for p in people)
    report = await _death_filed(office, people[0], month_day(-1, 3))
    assert (await office.decide("reports", report, "town-1", "accept"))[0] == 202
    assert (await office.decide("reports", report, "county-1", "approve"))[0] == 202
    jailed_report = await _filed(office, people[1], "imprisonment", month_day(-1, 3))
    await _filed(office, people[2], "duplicate_receipt", month_day(-1, 3))

    assert await sweep.sweep(today()) == 0  # due this month: nobody liable yet
    assert await sweep.sweep(month_day(1)) == 3  # before: 5
    assert set(await _proposed(office)) == {twice, *plain}
    status, page = await office.get("/v1/verification-tasks", status="open")
    assert status == 200, page
    (task,) = page["items"]
    assert (await office.step(task["task_id"], "county-1", "cleared"))[0] == 202  # alive
    assert (await office.decide("reports", jailed_report, "county-1", "reject"))[0] == 202

    usual = dict.fromkeys((twice, *plain), _next())
    assert (
        await _liable(office, _next()) == {dead: _after(), jailed: _after()} | usual
    )  # before: _next()
    assert await sweep.sweep(month_day(1)) == 0  # found alive, never reminded: not yet
    assert await sweep.sweep(month_day(1, 28)) == 0
    assert await sweep.sweep(month_day(2)) == 2
    assert await _proposed(office) == {dead: _after(), jailed: _after()} | usual
