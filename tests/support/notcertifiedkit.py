"""A pensioner the hub suspended for not certifying (``not_certified``), for the register and
comparison tests; months counted from this one (China time), 238.00 a month. Last certified
in the app on the 15th of M(-15) (due M(-3)), suspended by the hub on the approved proposal
from the 1st of M(-2), the province having applied it (paid through M(-3)); a certification
then opens the ``restoration_proposal/v1`` of that suspension. The figures each test relies
on (476.00 back-paid for M(-2)..M(-1), …) are asserted in the test itself."""

from __future__ import annotations

from datetime import date
from typing import Any

from comparisonkit import ComparisonCase
from latekit import label
from procedurekit import Office, month_day, today
from reversalkit import approved, outcomes

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.suspensions import ProposalSweep
from certhub.hub.rules.months import month_index


async def open_proposals(office: Office) -> list[dict[str, Any]]:
    """``GET /v1/restoration-proposals`` (open ones)."""
    status, page = await office.get("/v1/restoration-proposals")
    assert status == 200, page
    return list(page["items"])


def overdue_sweep(office: Office) -> ProposalSweep:
    """The suspension-proposal sweep of ``office``'s hub, with no grace month."""
    app = office.client.app
    return ProposalSweep(app[STORE], app[PROCEDURE].outcomes, grace_months=0)


async def proposed_and_accepted(
    office: Office, person: dict[str, Any], paid_through: str
) -> dict[str, Any]:
    """``person`` on the roster paid through ``paid_through``, last certified in the app on
    the 15th of M(-15) (due M(-3)): the sweep proposes the suspension, the one
    ``suspension_proposal/v1`` (returned), and town staff accept it."""
    await office.roster(person, paid_through=paid_through)
    await office.certified_in_app(person, f"{label(-15)}-15T10:00:00+08:00")
    assert await overdue_sweep(office).sweep(today()) == 1
    (proposal,) = await outcomes(office, "suspension_proposal/v1")
    item = proposal["sequence"]
    assert (await office.decide("suspension-proposals", item, "town-1", "accept"))[0] == 202
    return proposal


async def suspended_by_the_hub(office: Office, person: dict[str, Any]) -> None:
    """``person`` last certified on the 15th of M(-15), suspended by the hub on the
    approved proposal from the 1st of M(-2), the province having applied it."""
    item = (await proposed_and_accepted(office, person, label(-3)))["sequence"]
    assert (await office.decide("suspension-proposals", item, "county-1", "approve"))[0] == 202
    (suspension,) = await outcomes(office, "suspension/v1")
    assert suspension["payload"]["effective_from"] == month_day(-2).isoformat()
    since = month_day(-2).isoformat()
    await office.roster(person, status="suspended", suspended_since=since, paid_through=label(-3))
    assert await open_proposals(office) == []


async def restoration_signed(office: Office, item: int) -> dict[str, Any]:
    """Restoration proposal ``item`` accepted by town staff and approved by the county: the
    payload of the one ``restoration/v1`` the hub signed."""
    status, body = await approved(office, item)
    assert status == 202, body
    (restoration,) = await outcomes(office, "restoration/v1")
    return dict(restoration["payload"])


async def certified_by_the_comparison(case: ComparisonCase, aiohttp_client: Any) -> None:
    """The case's one person :func:`suspended_by_the_hub`, then certified (免办) by the M(-1)
    comparison on health's medical visit ``H1`` of the 5th of M(-1): the proposal opened."""
    office = await case.office(aiohttp_client)
    await suspended_by_the_hub(office, case.person)
    await office.client.close()
    seen = f"H1,{case.person['id_number']},某人,,,medical_visit,{label(-1)}-05,\n"
    assert (await case.compare_health(label(-1), seen))["recorded"] == 1


async def visit_voided(case: ComparisonCase) -> None:
    """Health voids the visit ``H1`` in the M(0) feed (``V1``, the 1st of M(0)): the
    comparison's certification withdrawn."""
    void = f"V1,{case.person['id_number']},某人,,,void,{label(0)}-01,H1\n"
    voided = await case.compare_health(label(0), void)
    assert voided["reversals"] == {"certification_withdrawn": 1}, voided


async def restored_then_withdrawn(case: ComparisonCase, aiohttp_client: Any) -> dict[str, Any]:
    """:func:`certified_by_the_comparison`, the proposal it opened approved (the province then
    paying through M(0)), and :func:`visit_voided`: the payload of the restoration signed."""
    await certified_by_the_comparison(case, aiohttp_client)
    office = await case.office(aiohttp_client)
    (proposal,) = await open_proposals(office)
    signed = await restoration_signed(office, int(proposal["sequence"]))
    await office.roster(case.person, paid_through=label(0))  # the province restored: active
    await office.client.close()
    await visit_voided(case)
    return signed


async def suspended_again(
    case: ComparisonCase, aiohttp_client: Any, liable_from: date
) -> tuple[Office, list[dict[str, Any]]]:
    """After the case's certification was withdrawn (due M(-3) again in the register): the
    sweep proposes the cycle again, once (``…:after:<the last proposal's sequence>``),
    liable from ``liable_from``; town staff accept it and the county approves, and the hub
    signs the suspension from that day. An office open and every ``suspension/v1`` signed."""
    office = await case.office(aiohttp_client)
    row = await office.client.app[STORE].register_person(case.person["id_number"])
    assert row is not None
    assert row.due_month == month_index(today()) - 3
    sweep = overdue_sweep(office)
    assert await sweep.sweep(today()) == 1  # before: 0, paid on without proof of life
    assert await sweep.sweep(today()) == 0  # once
    first, again = await outcomes(office, "suspension_proposal/v1")
    assert again["message_id"] == f"{first['message_id']}:after:{first['sequence']}"
    assert again["payload"]["due_month"] == label(-3)
    assert again["payload"]["liable_from"] == liable_from.isoformat()
    item = int(again["sequence"])
    assert (await office.decide("suspension-proposals", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("suspension-proposals", item, "county-1", "approve"))[0] == 202
    suspensions = await outcomes(office, "suspension/v1")
    assert suspensions[-1]["payload"]["effective_from"] == liable_from.isoformat()
    return office, suspensions
