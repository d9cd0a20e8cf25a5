"""Issue 17: a restoration proposal people rejected can still be put right by staff.

The proposal is made once per task; when town or county staff reject it and the
province's roster still says active (it never applied the hub's termination),
a staff-filed ``restoration/v1`` of the voided termination is checked exactly
as the proposal would be — back pay only after ``paid_through`` — so the
wrongly "dead" pensioner's closure does not stay for ever. The roster here is
paid through the death's month, so the one unpaid month is ``VOIDED_IN``
(238.00), counted once whichever way it is restored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reversalkit import (
    PROBLEM,
    VOIDED_IN,
    Scene,
    audited,
    proposals,
    voided_restoration,
)

from certhub.hub.core.keys import STORE


async def test_after_a_rejected_proposal_staff_restore_a_roster_still_active(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene, person, number = await Scene.recorded(tmp_path)
    tasks = await scene.terminated(aiohttp_client)  # roster active, paid through DIED_IN
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}
    office = await scene.office(aiohttp_client)
    item = (await proposals(office))[number]["sequence"]
    assert (await office.decide("restoration-proposals", item, "town-1", "reject"))[0] == 202
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["restoration_proposals"] == []  # never again
    office = await scene.office(aiohttp_client)
    store = office.client.app[STORE]
    assert await store.closed_benefit(number) is not None

    filing = voided_restoration(person)
    await office.approved("restorations", "town-1", filing)
    assert await store.closed_benefit(number) is None
    assert await audited(office, "closure_lifted") == [tasks[number]]
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}

    # filed again: the closure is lifted, nothing of the hub's is left to restore
    before = await office.ledger_size()
    status, body = await office.post("/v1/restorations", "town-1", filing)
    assert (status, body["type"]) == (409, PROBLEM + "restoration-not-suspended"), body
    assert await office.ledger_size() == before
    await office.client.close()
