"""Overdue → a suspension proposal that town staff accept and the county decides; never a stop
by itself. Proposals are swept for a fixed day (2026-12-06), certifications are real past ones."""

from __future__ import annotations

from datetime import date
from typing import Any

from procedurekit import Office

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.suspensions import ProposalSweep

TODAY = date(2026, 12, 6)


def sweep(office: Office, grace: int = 0) -> ProposalSweep:
    app = office.client.app
    return ProposalSweep(app[STORE], app[PROCEDURE].outcomes, grace_months=grace)


async def outcomes(office: Office, message_type: str) -> list[dict[str, Any]]:
    status, body = await office.get("/v1/outcomes", limit="1000")
    assert status == 200, body
    return [item for item in body["items"] if item["type"] == message_type]


async def accepted_proposal(office: Office, certified_at: str) -> tuple[dict[str, Any], int]:
    """A person on the roster last certified at ``certified_at``, overdue by ``TODAY``: the sweep
    proposes their suspension and town staff accept it. The person and the proposal's item."""
    person = office.people.person()
    await office.roster(person)
    await office.certified_in_app(person, certified_at)
    assert await sweep(office).sweep(TODAY) == 1
    (proposal,) = await outcomes(office, "suspension_proposal/v1")
    item = int(proposal["sequence"])
    assert (await office.decide("suspension-proposals", item, "town-1", "accept"))[0] == 202
    return person, item


async def test_an_overdue_pensioner_is_proposed_once_and_suspended_when_approved(
    office: Office,
) -> None:
    late, on_time, never = (office.people.person() for _ in range(3))
    for person in (late, on_time, never):
        await office.roster(person)
    last = await office.certified_in_app(late, "2025-10-15T10:00:00+08:00")  # due 2026-10
    await office.certified_in_app(on_time, "2025-11-30T23:00:00+08:00")  # due 2026-11: liable 12-01
    assert await sweep(office, grace=1).sweep(TODAY) == 1  # a month's grace: only the first
    assert await sweep(office).sweep(TODAY) == 1  # no grace: the second is liable too
    assert await sweep(office).sweep(TODAY) == 0  # once per person and cycle
    proposals = await outcomes(office, "suspension_proposal/v1")
    by_person = {p["payload"]["person"]["id_number"]: p for p in proposals}
    assert set(by_person) == {late["id_number"], on_time["id_number"]}  # never certified: not
    proposal = by_person[late["id_number"]]
    assert proposal["status"] == "received"  # under review, not in force
    assert proposal["payload"]["due_month"] == "2026-10"
    assert proposal["payload"]["liable_from"] == "2026-12-01"  # with the month's grace
    assert proposal["payload"]["last_certification_sequence"] == last
    assert await outcomes(office, "suspension/v1") == []  # nothing is suspended by itself
    item = proposal["sequence"]
    assert (await office.decide("suspension-proposals", item, "town-1", "accept"))[0] == 202
    status, body = await office.decide("suspension-proposals", item, "county-1", "approve")
    assert status == 202, body
    (suspension,) = await outcomes(office, "suspension/v1")
    assert suspension["payload"]["person"]["id_number"] == late["id_number"]
    assert suspension["payload"]["reason"] == "not_certified"
    assert suspension["payload"]["effective_from"] == "2026-12-01"
    decided_by = suspension["payload"]["decided_by"]
    assert (decided_by["id"], decided_by["role"]) == ("county-1", "county_reviewer")


async def test_a_pensioner_certified_after_the_proposal_is_not_suspended(office: Office) -> None:
    person, item = await accepted_proposal(office, "2025-10-15T10:00:00+08:00")
    await office.certified_in_app(person, "2026-12-05T09:00:00+08:00")  # certified meanwhile
    status, body = await office.decide("suspension-proposals", item, "county-1", "approve")
    assert status == 409, body
    assert body["type"] == "urn:certhub:problem:conflict"
    assert (await office.decide("suspension-proposals", item, "county-1", "reject"))[0] == 202
    assert await outcomes(office, "suspension/v1") == []
    assert await sweep(office).sweep(TODAY) == 0  # certified: nothing more to propose


async def test_town_staff_may_not_approve_a_proposal(office: Office) -> None:
    _, item = await accepted_proposal(office, "2025-09-01T10:00:00+08:00")
    status, body = await office.decide("suspension-proposals", item, "town-2", "approve")
    assert status == 403, body
    assert await outcomes(office, "suspension/v1") == []
