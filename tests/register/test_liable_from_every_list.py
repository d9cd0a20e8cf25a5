"""Every register list says the same ``liable_from`` for a pensioner, the one the suspension
sweep acts on (SQLite).

A pensioner certified in the app on the 15th of M(-12): covered M(-11)..M(0), due M(0),
liable from the 1st of M(+1) with no grace. The city reports them dead (event the 3rd of
M(-1)); the ledger stamps the report now, in M(0), before the day they would be liable, so
the verification held their reminders (hub.rules.cycle.held_liability). The county rejects
the report today, in M(0) (found alive): liable from the 1st of the second month after the
clearance, the 1st of M(+2) (month_day(2)), and the sweep proposes nothing before.

Read today, the pensioner is ``due`` (due this month): the due list and the people list
must say liable from the 1st of M(+2) as the overdue list does from M(+1) on. Before, they
said the 1st of M(+1) — a day on which the sweep proposes nothing — so a coordinator or a
town reading the people or the due list was told a wrong deadline, one month early.
"""

from __future__ import annotations

from procedurekit import Office, month_day
from reminderkit import due_in

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.suspensions import ProposalSweep

from .test_reminders_verification_open import _death_filed


async def _liable(office: Office, path: str, number: str, **query: str) -> str:
    """The ``liable_from`` the list at ``path`` gives the pensioner ``number``."""
    status, page = await office.get(f"/v1/register/{path}", limit="50", **query)
    assert status == 200, page
    (entry,) = [e for e in page["items"] if e["person"]["id_number"] == number]
    return str(entry["liable_from"])


async def test_the_due_and_people_lists_give_the_liability_a_clearance_moved(
    office: Office,
) -> None:
    (person,) = await due_in(office, 1, 0)
    number = person["id_number"]
    report = await _death_filed(office, person, month_day(-1, 3))
    assert (await office.decide("reports", report, "town-1", "accept"))[0] == 202
    assert (await office.decide("reports", report, "county-1", "reject"))[0] == 202
    later = month_day(2).isoformat()  # the 1st of M(+2), computed apart

    area = person["region"]["village"]
    assert await _liable(office, "overdue", number, on=month_day(1).isoformat()) == later
    assert await _liable(office, "due", number, within="1") == later  # before: the 1st of M+1
    assert await _liable(office, "people", number, area=area) == later  # the same
    app = office.client.app
    sweep = ProposalSweep(app[STORE], app[PROCEDURE].outcomes, grace_months=0)
    assert await sweep.sweep(month_day(1)) == 0  # the day the two lists said: not liable
