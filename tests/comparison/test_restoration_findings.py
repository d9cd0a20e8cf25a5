"""Issue 17: a finding the county confirmed while a termination wrongly stood is not lost.

Civil affairs records a false cremation in ``DIED_IN`` (on ``DIED``); a report of the
person's imprisonment opens a task apart; the county confirms the death (the hub
terminates the benefit), then the imprisonment — recorded with no suspension, the
benefit being terminated already. Civil affairs voids the cremation record in
``VOIDED_IN``: the termination is voided and the hub proposes restoring it, but it
restores no payment over the confirmed imprisonment — the proposal, staff's own
proposal and staff's ``restoration/v1`` are each ``restoration-finding-confirmed``
(409), storing nothing, and the hub's closure stays.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from reversalkit import DIED, PROBLEM, VOIDED_IN, proposals, voided_restoration

from certhub.hub.core.keys import STORE

from .test_restoration_suspended import death_beside, staff_proposal

FINDING = PROBLEM + "restoration-finding-confirmed"


async def test_no_payment_is_restored_over_an_imprisonment_confirmed_meanwhile(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    jailed = DIED - timedelta(days=1)
    scene, office, person, death, imprisonment = await death_beside(
        tmp_path, aiohttp_client, "imprisonment", jailed
    )
    number, jail = person["id_number"], imprisonment["task_id"]
    assert (await office.step(jail, "town-1", "in_progress"))[0] == 202
    status, body = await office.step(jail, "county-1", "confirmed", event_date=jailed.isoformat())
    assert status == 202, body
    _, task = await office.get(f"/v1/verification-tasks/{jail}")
    assert task["status"] == "confirmed", task
    assert "benefit already terminated" in task["remarks"], task
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}

    office = await scene.office(aiohttp_client)
    store = office.client.app[STORE]
    hubs = (await proposals(office))[number]
    before = await office.ledger_size()
    answers = [await office.decide("restoration-proposals", hubs["sequence"], "town-1", "accept")]
    assert await office.ledger_size() == before
    assert (await office.decide("restoration-proposals", hubs["sequence"], "town-1", "reject"))[
        0
    ] == 202
    before = await office.ledger_size()
    answers.append(await office.post("/v1/restorations", "town-1", voided_restoration(person)))
    own = staff_proposal(hubs["payload"])
    answers.append(await office.post("/v1/restoration-proposals", "town-1", own))
    for status, body in answers:
        assert (status, body["type"]) == (409, FINDING), body
        assert f"imprisonment {jail}" in body["detail"], body
    assert await office.ledger_size() == before
    assert await store.closed_benefit(number) == ("death", death)
    await office.client.close()
