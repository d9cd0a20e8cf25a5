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

from procedurekit import Office

from .test_suspension_pending_certification import (
    CERTIFICATION,
    PROBLEM,
    accepted_proposal,
    raced,
    suspensions,
)


async def test_an_approval_planned_before_a_certification_commits_is_refused(
    office_db: Office,
) -> None:
    office = office_db
    person, proposal = await accepted_proposal(office)
    before = await office.ledger_size()
    await raced(office, person, proposal, committing=CERTIFICATION)
    assert await office.ledger_size() == before + 1  # the certification alone
    assert await suspensions(office) == []  # a pensioner certified today is not suspended
    status, body = await office.decide("suspension-proposals", proposal, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "conflict"), body  # certified since
    assert "certified after the proposal" in body["detail"]
    assert (await office.decide("suspension-proposals", proposal, "county-1", "reject"))[0] == 202
    assert await suspensions(office) == []
