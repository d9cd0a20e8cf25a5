"""A person's death report approved after the termination stands behind it: a department's
void no longer voids that termination.

Months from this one (China time), 238.00 a month: civil affairs records a cremation on
the 3rd of M(-2) (C0); the county confirms the death while the roster pays through M(0):
M(-1)..M(0) = 476.00 to recover. The city then reports the same death (the 8th of M(-2),
the same month: linked to the closed history), accepted and approved at two levels. The
M(-1) feed voids C0. Before, the termination was voided all the same — the linked report
was in no task's sources — and the hub proposed restoring the benefit: approved, the
476.00 voided (recovered money refunded) and payment resumed to a person two levels
reported dead. Now the report stands behind it: ``no_effect``, no proposal, 476.00 stands.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from comparisonkit import HEADER
from reversalkit import DIED, THIS_MONTH, VOIDED_IN, Scene, death_reported, outcomes

from certhub.hub.core.keys import STORE


async def _termination_stands(scene: Scene, aiohttp_client: Any, task: str) -> None:
    """No restoration proposed; the person's benefit closed by ``task``, its 476.00 to
    recover."""
    office = await scene.office(aiohttp_client)
    assert await outcomes(office, "restoration_proposal/v1") == []
    number = scene.person["id_number"]
    assert await office.client.app[STORE].closed_benefit(number) == ("death", task)
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (status, body["amount"], body["status"]) == (200, "476.00", "pending"), body


async def test_a_linked_death_report_keeps_the_termination(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene, person, number = await Scene.recorded(tmp_path)
    office = await scene.office(aiohttp_client)
    tasks = await scene.confirmed_deaths(office, {number: {"paid_through": THIS_MONTH}})
    await death_reported(office, person, DIED + timedelta(days=5))
    assert await outcomes(office, "termination_amendment/v1") == []  # the same month: linked
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"no_effect": 1}
    await _termination_stands(scene, aiohttp_client, tasks[number])


async def test_a_linked_department_record_keeps_the_termination(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    # public security's record cancelling the registration (the 8th of M(-2), grade A)
    # comes in the M(-1) feed with civil affairs' void of the cremation: linked, it stands
    # behind the termination (before: restoration proposed, as above)
    scene, _, number = await Scene.recorded(tmp_path)
    tasks = await scene.terminated(aiohttp_client, {number: {"paid_through": THIS_MONTH}})
    cancelled = f"P0,{number},某人,,,registration_cancelled,{DIED + timedelta(days=5)},\n"
    (tmp_path / VOIDED_IN / "public_security.csv").write_text(HEADER + cancelled, "utf-8")
    ledger = await scene.compare(VOIDED_IN)
    assert (ledger["reports"], ledger["reversals"]) == ({"linked_to_closed": 1}, {"no_effect": 1})
    await _termination_stands(scene, aiohttp_client, tasks[number])
