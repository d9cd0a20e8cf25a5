"""The due list's cursor across the end of a month: no pensioner skipped (SQLite).

A reader pages through ``GET /v1/register/due`` without ``?on=``: the list is computed for
today (China Standard Time), and today may change between two pages. Here the pages are
read ``?on=`` the last day of October 2026, then the 1st of November, as the default does at
midnight.

Three pensioners certified in the app, with ID numbers A < C < B: C on the 15th of October
2025 (due 2026-10), A and B on the 15th of November 2025 (due 2026-11). On the 31st of
October, ``within=2`` (October and November), one a page: the first page is C (October,
the soonest month). On the 1st of November the list is November and December: C is overdue
now, and A and B are due. The next pages must give A, then B. Before, the cursor carried
"the first month asked for, after C" and the 1st of November read it as November after C:
the next page was B and A was never listed.
"""

from __future__ import annotations

from typing import Any

from procedurekit import Office


async def _page(office: Office, on: str, after: str | None = None) -> dict[str, Any]:
    query = {"on": on, "within": "2", "limit": "1"} | ({"after": after} if after else {})
    status, body = await office.get("/v1/register/due", **query)
    assert status == 200, body
    return dict(body)


async def test_no_one_skipped_when_the_month_ends_between_pages(office: Office) -> None:
    people = sorted((office.people.person() for _ in range(3)), key=lambda p: p["id_number"])
    a, c, b = people
    for person, at in ((c, "2025-10-15"), (a, "2025-11-15"), (b, "2025-11-15")):
        await office.roster(person)
        await office.certified_in_app(person, f"{at}T10:00:00+08:00")

    first = await _page(office, "2026-10-31")
    assert [e["person"]["id_number"] for e in first["items"]] == [c["id_number"]]
    assert first["has_more"]
    listed, after = [], first["next_cursor"]
    for _ in range(4):  # enough pages for everyone due
        body = await _page(office, "2026-11-01", after)
        listed += [e["person"]["id_number"] for e in body["items"]]
        after = body["next_cursor"]
        if not body["has_more"]:
            break
    assert listed == [a["id_number"], b["id_number"]]  # before: [B]
