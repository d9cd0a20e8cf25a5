"""A voided termination is not restored over a non-certification suspension the hub approved.

The person, last certified 15 months ago, is overdue; the register proposes suspending
them, town staff accept and the county approves: the hub signs ``suspension/v1``
(``not_certified``). Then civil affairs records a false cremation in ``DIED_IN`` (on
``DIED``), the county confirms the death (the hub terminates the benefit) and the province
applies the termination (the roster says ``terminated``, paid through ``DIED_IN``). Civil
affairs voids the record in ``VOIDED_IN``: the hub proposes restoring the benefit, but
approving it would back-pay ``VOIDED_IN`` (238.00) and resume payment to someone who never
certified. The proposal, staff's ``restoration/v1`` and staff's own proposal are each
``restoration-other-suspension`` (409), storing nothing, the closure staying — until a
passed certification ends the suspension.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from procedurekit import today
from reversalkit import DIED, DIED_IN, VOIDED_IN, Scene, proposals, refused, voided_restoration

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.suspensions import ProposalSweep
from certhub.hub.rules.months import month_index, month_label

from .test_restoration_suspended import OTHER_SUSPENSION, staff_proposal


def _certified_in() -> str:  # due 3 months ago: overdue
    return month_label(month_index(today()) - 15)


def _due() -> str:
    return month_label(month_index(today()) - 3)


async def test_no_payment_is_restored_over_a_standing_non_certification_suspension(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene, person, number = await Scene.recorded(tmp_path)
    office = await scene.office(aiohttp_client)
    app = office.client.app
    await office.roster(person, paid_through=DIED_IN)
    await office.certified_in_app(person, f"{_certified_in()}-15T10:00:00+08:00")
    sweep = ProposalSweep(app[STORE], app[PROCEDURE].outcomes, grace_months=0)
    assert await sweep.sweep(today()) == 1
    status, page = await office.get("/v1/outcomes", limit="1000")
    assert status == 200, page
    (proposal,) = [p for p in page["items"] if p["type"] == "suspension_proposal/v1"]
    assert proposal["payload"]["due_month"] == _due()
    item = proposal["sequence"]
    assert (await office.decide("suspension-proposals", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("suspension-proposals", item, "county-1", "approve"))[0] == 202
    status, page = await office.get("/v1/verification-tasks", status="open")
    assert status == 200, page
    (death,) = [t["task_id"] for t in page["items"] if t["kind"] == "death"]
    status, body = await office.step(death, "county-1", "confirmed", event_date=DIED.isoformat())
    assert status == 202, body
    await office.roster(person, status="terminated", paid_through=DIED_IN)
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}

    office = await scene.office(aiohttp_client)
    store = office.client.app[STORE]
    hubs = (await proposals(office))[number]
    standing = f"proposal {item}, due {_due()}"
    accept = office.decide("restoration-proposals", hubs["sequence"], "town-1", "accept")
    body = await refused(office, accept, 409, OTHER_SUSPENSION)
    assert standing in body["detail"], body
    assert (await office.decide("restoration-proposals", hubs["sequence"], "town-1", "reject"))[
        0
    ] == 202
    filed = office.post("/v1/restorations", "town-1", voided_restoration(person))
    body = await refused(office, filed, 409, OTHER_SUSPENSION)
    assert standing in body["detail"], body
    own = staff_proposal(hubs["payload"])
    proposed = office.post("/v1/restoration-proposals", "town-1", own)
    body = await refused(office, proposed, 409, OTHER_SUSPENSION)
    assert standing in body["detail"], body
    assert await store.closed_benefit(number) == ("death", death)

    await office.certified_in_app(person)  # alive after all: the suspension ends
    status, body = await office.post("/v1/restoration-proposals", "town-1", own)
    assert status == 202, body
    await office.client.close()
