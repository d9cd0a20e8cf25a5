"""A suspension proposal's approval racing the pensioner's certification suspends no one.

The pensioner, certified in the app on 15 October 2025 (due 2026-10, liable from
1 November 2026), is proposed for suspension on 6 December 2026 and town staff accept it.
The county's approval is planned — the register still due 2026-10, no certification under
review — while the pensioner certifies in the app today (due 2027-12); the certification
commits first. Before, the approval committed too (202) and signed ``suspension/v1``
(not_certified, from 1 November 2026): the province stops paying a pensioner who had just
proved to be alive, 238.00 a month, until a restoration pays the months back. Now the
approval carries what it read of the register (the due month, the certification under
review) and is refused when either changed before its commit (409 ``conflict``, nothing
stored); decided again it is ``conflict`` (certified since) and the county rejects the
proposal. SQLite and PostgreSQL.
"""

from __future__ import annotations

from procedurekit import Office, app_event
from racekit import DECISION, approval, second_refused, sent

from certhub.hub.core.keys import STORE

from .test_suspension_pending_certification import PROBLEM, accepted_proposal, suspensions

CERTIFICATION = "certification_event/v1"


async def test_an_approval_planned_before_a_certification_commits_is_refused(
    office_db: Office,
) -> None:
    office = office_db
    person, proposal = await accepted_proposal(office)
    path = f"/v1/suspension-proposals/{proposal}/decisions"
    store = office.client.app[STORE]
    before = await office.ledger_size()
    sends = (
        sent(office, "/v1/certifications", "channel", app_event(person)),
        sent(office, path, "county-1", approval(proposal)),
    )
    await second_refused(CERTIFICATION, DECISION, sends, store)
    assert await office.ledger_size() == before + 1  # the certification alone
    assert await suspensions(office) == []  # a pensioner certified today is not suspended
    status, body = await office.decide("suspension-proposals", proposal, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "conflict"), body  # certified since
    assert "certified after the proposal" in body["detail"]
    assert (await office.decide("suspension-proposals", proposal, "county-1", "reject"))[0] == 202
    assert await suspensions(office) == []
