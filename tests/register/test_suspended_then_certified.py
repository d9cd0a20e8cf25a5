"""The list of people suspended for non-certification keeps those who certified since
(test fails without the fix, SQLite and PostgreSQL). 238.00 a month.

README defines ``GET /v1/register/suspended`` as the pensioners suspended on the roster
and *not covered by a certification on the day the suspension began*. Last certified in
the app on the 15th of M(-15): due M(-3); the province suspends the benefit from the 1st
of M(-2) (paid through M(-3)): listed. The pensioner certifies in the app today (due
M(+12)); the roster still says suspended — restoring them (back pay of M(-2)..M(-1) =
476.00, payment from M(0)) is now due, and this list is how staff find them.

Before, the list read coverage from the current due month, which today's certification
moved past the suspension: the pensioner left the list (and the summary's
``suspended_not_certified``) at the very moment they became restorable, while still
suspended. Now coverage is read from the certifications made on or before the day the
suspension began: still listed, the entry showing today's certification and due month;
a pensioner certified in the due month itself (covered that day) was never listed.
"""

from __future__ import annotations

from typing import Any

from procedurekit import Office, month_day, today

from certhub.hub.rules.months import month_index, month_label


def label(offset: int) -> str:
    """``YYYY-MM`` of M(``offset``)."""
    return month_label(month_index(today()) + offset)


async def suspended_list(office: Office) -> dict[str, dict[str, Any]]:
    status, page = await office.get("/v1/register/suspended")
    assert status == 200, page
    return {entry["person"]["id_number"]: entry for entry in page["items"]}


async def summary(office: Office, person: dict[str, Any]) -> dict[str, int]:
    status, body = await office.get("/v1/register/summary", area=person["region"]["county"])
    assert status == 200, body
    return dict(body["people"])


async def test_certified_after_the_suspension_stays_listed(office_db: Office) -> None:
    office = office_db
    late, covered = office.people.person(), office.people.person()
    since = month_day(-2)
    for person, certified in ((late, f"{label(-15)}-15"), (covered, f"{label(-3)}-28")):
        await office.roster(person, paid_through=label(-3))
        await office.certified_in_app(person, f"{certified}T10:00:00+08:00")
        await office.roster(
            person, status="suspended", suspended_since=since.isoformat(), paid_through=label(-3)
        )
    number = late["id_number"]
    assert set(await suspended_list(office)) == {number}  # covered was certified until M(+9)
    assert (await summary(office, late))["suspended_not_certified"] == 1

    await office.certified_in_app(late)  # alive today: due M(+12), still suspended
    listed = await suspended_list(office)
    assert set(listed) == {number}
    entry = listed[number]
    assert entry["status"] == "suspended"
    assert entry["suspended_since"] == since.isoformat()
    assert entry["due_month"] == label(12)
    assert entry["last_certification"]["on"] == today().isoformat()
    assert (await summary(office, late))["suspended_not_certified"] == 1
