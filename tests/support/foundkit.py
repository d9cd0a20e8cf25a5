"""A missing person found, for the procedure tests through the HTTP API: on the roster at
238.00, paid through ``M(-1)``, missing since the 2nd of ``M(-6)`` (``missing_since()``), confirmed
(``M(-5)..M(-1)`` = 5 x 238.00 = 1,190.00 overpaid), 476.00 of it recovered; then found
dead or no longer entitled. Months are counted from this month (China time); the figures
each test relies on are asserted in the test itself."""

from __future__ import annotations

from datetime import date

from procedurekit import Office, month_day
from releasekit import label, recovered
from suspensionkit import confirmed


def missing_since() -> date:
    """The day the person went missing: the 2nd of ``M(-6)``, read when called (China time)."""
    return month_day(-6, 2)


async def found(office: Office, kind: str, on: date) -> tuple[dict[str, object], str, str]:
    """The person paid through M(-1), missing since the 2nd of M(-6), confirmed, 476.00 recovered;
    then ``kind`` on ``on``, confirmed — a death as the city reports one (the cremation
    certificate attached), another cause as a report of that reason: the person, the
    disappearance's and the new task."""
    person = office.people.person()
    await office.roster(person, paid_through=label(-1))
    task = await confirmed(office, person, "missing", missing_since())
    assert (await recovered(office, task, "476.00", "BR-7"))[0] == 202
    if kind == "death":
        return person, task, await office.confirmed_death(person, on)
    return person, task, await confirmed(office, person, kind, on)
