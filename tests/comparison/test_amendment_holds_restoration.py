"""An amendment of the death under review holds back the restoration of a voided termination.

238.00 a month. Civil affairs records a cremation on the 3rd of ``DIED_IN`` (``M(-2)``), the
county confirms the death (the roster paid through ``DIED_IN``: nothing overpaid). The city
then reports the person died on the 3rd of ``M(-3)``; the report is approved and, the death
confirmed, opens a ``termination_amendment/v1`` for people to decide. Civil affairs voids the
cremation in ``VOIDED_IN``; the hub proposes restoring the benefit (``VOIDED_IN`` back-paid,
238.00). Before, accepting and approving the proposal lifted the closure and back-paid while
an approved report of the death was under review as the amendment (then refused, ``conflict``:
the report's death was never verified). Now accepting it, and staff's ``restoration/v1``, are
``restoration-verification-open`` (409), nothing stored, the closure staying; the amendment
rejected, the same proposal is approved and back-pays ``VOIDED_IN`` once (238.00).

The amendment approved before the void, the termination in force rests on the city's report
as well: the void proposes nothing (``no_effect``) and staff's restoration is
``restoration-not-suspended``; the overpayment (``M(-2)``, 238.00) stays to recover.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reversalkit import (
    DIED_IN,
    EARLIER,
    PROBLEM,
    VOIDED_IN,
    Scene,
    approved,
    held_open,
    proposals,
    report_approved,
    sizes,
    voided_restoration,
)

from certhub.hub.core.keys import STORE


async def test_the_restoration_waits_for_the_amendment(tmp_path: Path, aiohttp_client: Any) -> None:
    scene, person, number = await Scene.recorded(tmp_path)
    tasks = await scene.terminated(aiohttp_client, {number: {"paid_through": DIED_IN}})
    office = await scene.office(aiohttp_client)
    amendment = await report_approved(office, person, EARLIER)
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}

    office = await scene.office(aiohttp_client)
    store, item = office.client.app[STORE], (await proposals(office))[number]["sequence"]
    await office.roster(person, status="terminated", paid_through=DIED_IN)
    await held_open(
        office, person, item, tasks[number], f"termination amendment {amendment['sequence']}"
    )

    rejected = await office.decide(
        "termination-amendments", amendment["sequence"], "town-1", "reject"
    )
    assert rejected[0] == 202, rejected
    status, body = await approved(office, item)
    assert status == 202, body
    assert await store.closed_benefit(number) is None
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}


async def test_a_death_amended_on_a_report_is_not_voided_by_the_machine(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """The same, the amendment approved before the void: the termination in force (dated
    ``EARLIER``, ``M(-3)`` back-recovered: 238.00) rests on the city's report too. Before,
    the void proposed restoring it all the same (the recovery voided and refunded, payment
    resumed to a person a report approved at two levels says is dead); now nothing is
    proposed and staff's restoration is ``restoration-not-suspended`` (409), nothing stored."""
    scene, person, number = await Scene.recorded(tmp_path)
    tasks = await scene.terminated(aiohttp_client, {number: {"paid_through": DIED_IN}})
    office = await scene.office(aiohttp_client)
    amendment = await report_approved(office, person, EARLIER)
    item = amendment["sequence"]
    assert (await office.decide("termination-amendments", item, "town-1", "accept"))[0] == 202
    status, body = await office.decide("termination-amendments", item, "county-1", "approve")
    assert status == 202, body
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"no_effect": 1}

    office = await scene.office(aiohttp_client)
    store = office.client.app[STORE]
    assert await proposals(office) == {}
    await office.roster(person, status="terminated", paid_through=DIED_IN)
    before = await sizes(office)
    status, body = await office.post("/v1/restorations", "town-1", voided_restoration(person))
    assert (status, body["type"]) == (409, PROBLEM + "restoration-not-suspended"), body
    assert await sizes(office) == before
    assert await store.closed_benefit(number) == ("death", tasks[number])
    status, body = await office.get(f"/v1/overpayments/{tasks[number]}")
    assert (status, body["amount"], body["status"]) == (200, "238.00", "pending"), body
