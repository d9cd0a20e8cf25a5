"""Overdue → proposal → approved suspension → certification → restoration, end to end on
both ledgers (found correct). 238.00 a month, months counted from this one (China time).

Last certified in the app on the 15th of M(-15): due M(-3), liable from the 1st of M(-2).
The sweep proposes suspending the pensioner, town staff accept, the county approves: the
hub signs ``suspension/v1`` (not_certified) from the 1st of M(-2); the province applies it
(suspended since then, paid through M(-3)). A restoration filed before any certification
is ``restoration-other-suspension`` (nothing stored). The pensioner certifies in the app
today (due M(+12)): the restoration back-paying M(-2)..M(-1) = 2 x 238.00 = 476.00 from the
suspension date, payment resumed from M(0), is approved; the same months again are
``months-already-counted``; the pensioner stays on the list of those suspended for
non-certification (now restorable) until the province's next entry says active.
"""

from __future__ import annotations

from typing import Any

from procedurekit import Office, back_paid_months, month_day, today

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.suspensions import ProposalSweep
from certhub.hub.rules.months import month_index, month_label

PROBLEM = "urn:certhub:problem:"


def label(offset: int) -> str:
    """``YYYY-MM`` of M(``offset``)."""
    return month_label(month_index(today()) + offset)


async def outcomes(office: Office, message_type: str) -> list[dict[str, Any]]:
    status, page = await office.get("/v1/outcomes", limit="1000")
    assert status == 200, page
    return [item for item in page["items"] if item["type"] == message_type]


async def listed(office: Office, path: str) -> list[str]:
    status, page = await office.get(f"/v1/register/{path}")
    assert status == 200, page
    return [entry["person"]["id_number"] for entry in page["items"]]


async def test_suspended_for_not_certifying_then_restored_from_the_suspension(
    office_db: Office,
) -> None:
    office, app = office_db, office_db.client.app
    store = app[STORE]
    person = office.people.person()
    number = person["id_number"]
    await office.roster(person, paid_through=label(-3))
    await office.certified_in_app(person, f"{label(-15)}-15T10:00:00+08:00")
    assert await listed(office, "overdue") == [number]
    sweep = ProposalSweep(store, app[PROCEDURE].outcomes, grace_months=0)
    assert await sweep.sweep(today()) == 1
    (proposal,) = await outcomes(office, "suspension_proposal/v1")
    assert proposal["payload"]["liable_from"] == month_day(-2).isoformat()
    item = proposal["sequence"]
    assert (await office.decide("suspension-proposals", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("suspension-proposals", item, "county-1", "approve"))[0] == 202
    (suspension,) = await outcomes(office, "suspension/v1")
    assert suspension["payload"]["effective_from"] == month_day(-2).isoformat()
    since = month_day(-2)
    await office.roster(
        person, status="suspended", suspended_since=since.isoformat(), paid_through=label(-3)
    )
    assert await listed(office, "suspended") == [number]  # for non-certification

    request = back_paid_months(person, since, -2, -1, "476.00")
    before = await office.ledger_size()
    status, body = await office.post("/v1/restorations", "town-1", request)
    assert (status, body["type"]) == (409, PROBLEM + "restoration-other-suspension"), body
    assert await office.ledger_size() == before

    await office.certified_in_app(person)  # alive: due M(+12)
    assert await listed(office, "suspended") == [number]  # still suspended: restorable
    await office.approved(
        "restorations", "town-1", back_paid_months(person, since, -2, -1, "476.00")
    )
    assert await store.counted_months(number, "back_paid") == {label(-2), label(-1)}
    assert await store.counted_months(number, "resumed") == {label(0)}
    before = await office.ledger_size()
    again = back_paid_months(person, since, -2, -1, "476.00")
    status, body = await office.post("/v1/restorations", "town-1", again)
    assert status == 409, body
    assert body["type"] == PROBLEM + "months-already-counted", body
    assert await office.ledger_size() == before
    assert await listed(office, "overdue") == []
    await office.roster(person, paid_through=label(0))  # the province resumed payment
    assert await listed(office, "suspended") == []
