"""A pensioner certifying while the county approves their suspension for non-certification:
the certification, planned before the suspension committed, is refused and, sent again,
opens the suspension's restoration proposal. SQLite and PostgreSQL.

The pensioner, certified in the app on 15 October 2025 (due 2026-10, liable from
1 November 2026), is proposed for suspension and town staff accept it. The pensioner
certifies in the app today while the county's approval is in flight: the certification is
planned first (no suspension signed: nothing to propose restoring), the approval commits
first (no certification had committed: its register guard holds), then the certification.
Before, both answered 202: ``suspension/v1`` (not_certified, from 1 November 2026) signed
for a pensioner who had just proved to be alive, and no ``restoration_proposal/v1`` opened,
as the certification opens once the suspension is signed - the province stops paying
238.00 a month until the pensioner certifies again or staff find it. Each ordering of the
two on its own is right: the certification first refuses the approval
(``test_suspension_certified_meanwhile``); the approval first, the certification proposes
the restoration. Now the certification carries the suspension it found unsigned to its
write (``Effects.unrecorded``) and is refused (409 ``conflict``, nothing stored) when it was
signed meanwhile; sent again it opens the proposal.
"""

from __future__ import annotations

from notcertifiedkit import open_proposals
from procedurekit import Office, app_event
from racekit import DECISION

from .test_suspension_pending_certification import accepted_proposal, raced, suspensions


async def test_a_certification_planned_before_the_suspension_commits_is_refused(
    office_db: Office,
) -> None:
    office = office_db
    person, proposal = await accepted_proposal(office)
    # before: both 202, the pensioner suspended and no restoration proposed
    await raced(office, person, proposal, committing=DECISION)
    (suspension,) = await suspensions(office)
    assert suspension["payload"]["effective_from"] == "2026-11-01"
    assert await open_proposals(office) == []
    status, body = await office.post("/v1/certifications", "channel", app_event(person))
    assert status == 202, body  # the app's retry of its 409
    (restoration,) = await open_proposals(office)
    assert restoration["payload"]["person"]["id_number"] == person["id_number"], restoration
