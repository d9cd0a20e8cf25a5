"""A suspension proposal waits for a certification under review wherever it was made.

The pensioner, certified in the app on 15 October 2025 (due 2026-10, liable from
1 November 2026), is proposed for suspension on 6 December 2026 and town staff accept it.
Meanwhile the pensioner certifies at a counter in another county (the person now lives
there: the event names that county), under that county's review. Before, the approval
looked for a certification under review only among the items of the roster's county: it
signed ``suspension/v1`` (not_certified, from 1 November 2026) while the pensioner's
certification awaited approval — the province stops paying a living pensioner (238.00 a
month) until a restoration pays the months back. Now the approval is ``conflict``
(nothing stored) until that certification is decided, as in the pensioner's own county:
the ledger finds the pensioner's certifications under review by ID number (SQLite and
PostgreSQL).
"""

from __future__ import annotations

from typing import Any

from procedurekit import Office

from .test_suspension_pending_certification import (
    PROBLEM,
    accepted_proposal,
    at_the_counter,
    refused_approval,
    suspensions,
)


def moved(person: dict[str, Any]) -> dict[str, Any]:
    """``person`` as a counter of another county of the city names them (no village)."""
    county = person["region"]["county"]
    other = county[:4] + ("05" if county[4:] != "05" else "06")
    return person | {"region": {"county": other}}


async def test_not_approved_while_a_certification_in_another_county_awaits_review(
    office_db: Office,
) -> None:
    office = office_db
    person, proposal = await accepted_proposal(office)
    counter = await at_the_counter(office, moved(person))
    await refused_approval(office, proposal)
    assert await suspensions(office) == []
    assert (await office.decide("certifications", counter, "town-1", "accept"))[0] == 202
    assert (await office.decide("certifications", counter, "county-1", "approve"))[0] == 202
    status, body = await office.decide("suspension-proposals", proposal, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "conflict"), body  # certified since
    assert await suspensions(office) == []
