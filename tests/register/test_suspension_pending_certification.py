"""A suspension proposal is not approved while a certification of the pensioner awaits review.

A counter, home-visit or social-organisation certification counts once the county
approves it. Before, a proposal approved while the pensioner's counter certification
was still under review signed ``suspension/v1`` (not_certified): the province stopped
paying someone who had certified, and only a restoration could pay them again. Now
the approval is ``conflict`` (nothing stored) until that certification is decided:
approved, there is nothing to suspend (reject the proposal); rejected, the proposal
may be approved. A failed attempt under review holds nothing up.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from evidence_samples import png
from hubkit import app_event
from procedurekit import Office, counter_event
from racekit import DECISION, approval, second_refused, sent

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.suspensions import ProposalSweep

TODAY = date(2026, 12, 6)
PROBLEM = "urn:certhub:problem:"
CERTIFICATION = "certification_event/v1"


async def suspensions(office: Office) -> list[dict[str, Any]]:
    _, body = await office.get("/v1/outcomes", limit="1000")
    return [item for item in body["items"] if item["type"] == "suspension/v1"]


async def accepted_proposal(office: Office) -> tuple[dict[str, Any], int]:
    """A pensioner certified on 15 October 2025 (due 2026-10), proposed on 6 December 2026,
    the proposal accepted by town staff: the person and the proposal's item."""
    person = office.people.person()
    await office.roster(person)
    await office.certified_in_app(person, "2025-10-15T10:00:00+08:00")
    app = office.client.app
    assert await ProposalSweep(app[STORE], app[PROCEDURE].outcomes, grace_months=0).sweep(TODAY)
    _, body = await office.get("/v1/outcomes", limit="1000")
    (proposal,) = [i for i in body["items"] if i["type"] == "suspension_proposal/v1"]
    item = int(proposal["sequence"])
    assert (await office.decide("suspension-proposals", item, "town-1", "accept"))[0] == 202
    return person, item


async def raced(office: Office, person: dict[str, Any], proposal: int, committing: str) -> None:
    """The county's approval of ``proposal`` and ``person``'s certification in the app sent
    at once, interleaved: the one of message type ``committing`` (:data:`racekit.DECISION`
    or :data:`CERTIFICATION`) commits, the other, planned without it, is refused 409
    ``conflict`` with nothing stored (:func:`racekit.second_refused`)."""
    path = f"/v1/suspension-proposals/{proposal}/decisions"
    approving = sent(office, path, "county-1", approval(proposal))
    certifying = sent(office, "/v1/certifications", "channel", app_event(person))
    store = office.client.app[STORE]
    if committing == DECISION:
        await second_refused(DECISION, CERTIFICATION, (approving, certifying), store)
    else:
        await second_refused(CERTIFICATION, DECISION, (certifying, approving), store)


async def at_the_counter(office: Office, person: dict[str, Any], outcome: str = "certified") -> int:
    """The person at the counter today, the certification under review: its item."""
    note = f"{person['id_number'][-4:]} {outcome}"
    id_image = await office.upload(png(note=f"ID card {note}"), "image/png")
    photo = await office.upload(png(note=f"on site {note}"), "image/png")
    event = counter_event(person, id_image, photo) | {"outcome": outcome}
    status, body = await office.post("/v1/certifications", "channel", event)
    assert status == 202, body
    return int(body["sequence"])


async def refused_approval(office: Office, item: int) -> None:
    before = await office.ledger_size()
    status, body = await office.decide("suspension-proposals", item, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "conflict"), body
    assert "under review" in body["detail"]
    assert await office.ledger_size() == before


async def test_not_approved_while_a_counter_certification_awaits_review(office: Office) -> None:
    person, proposal = await accepted_proposal(office)
    counter = await at_the_counter(office, person)
    await refused_approval(office, proposal)  # received
    assert (await office.decide("certifications", counter, "town-1", "accept"))[0] == 202
    await refused_approval(office, proposal)  # accepted
    assert (await office.decide("certifications", counter, "county-1", "approve"))[0] == 202
    # certified now: nothing to suspend; the county rejects the proposal
    status, body = await office.decide("suspension-proposals", proposal, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "conflict"), body
    assert (await office.decide("suspension-proposals", proposal, "county-1", "reject"))[0] == 202
    assert await suspensions(office) == []


async def test_approved_once_the_certification_is_rejected(office: Office) -> None:
    person, proposal = await accepted_proposal(office)
    counter = await at_the_counter(office, person)
    assert (await office.decide("certifications", counter, "town-1", "accept"))[0] == 202
    assert (await office.decide("certifications", counter, "county-1", "reject"))[0] == 202
    status, body = await office.decide("suspension-proposals", proposal, "county-1", "approve")
    assert status == 202, body
    (suspension,) = await suspensions(office)
    assert suspension["payload"]["effective_from"] == "2026-11-01"


async def test_a_failed_attempt_under_review_holds_nothing_up(office: Office) -> None:
    person, proposal = await accepted_proposal(office)
    await at_the_counter(office, person, outcome="failed")
    status, body = await office.decide("suspension-proposals", proposal, "county-1", "approve")
    assert status == 202, body
    assert len(await suspensions(office)) == 1


async def test_another_persons_certification_holds_nothing_up(office: Office) -> None:
    _, proposal = await accepted_proposal(office)
    neighbour = office.people.person()
    await office.roster(neighbour)
    await at_the_counter(office, neighbour)
    status, body = await office.decide("suspension-proposals", proposal, "county-1", "approve")
    assert status == 202, body
