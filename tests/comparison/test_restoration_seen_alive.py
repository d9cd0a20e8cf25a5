"""Seen alive while the restoration of a voided termination is under review: certified (免办).

238.00 a month. The person last certified in the app on the 15th of M(-14): due M(-2).
Civil affairs records a false cremation of the 3rd of M(-2); the county confirms the death
(the roster paid through M(-2), then ``terminated``). Civil affairs voids the record in
M(-1); the hub proposes restoring the benefit: back pay of M(-1) = 238.00, payment resumed
from M(0) — refused (``restoration-other-suspension``) until a passed certification, as the
person's last proof of life is 14 months old. The register reads the person as alive and
overdue (the restoration under review).

In M(0) health records a medical visit on the 1st: the comparison's proof of life. Before,
the comparison withheld it (``benefit_closed``: the voided closure read as a termination
standing), so the person the register lists as overdue was never certified by the very
run that saw them, and the proposal stayed refused: M(-1)'s 238.00 and every month from
M(0) unpaid to a living pensioner until they certified by another channel. Now the run
certifies them (recorded 1, withheld none), as an app certification would, and the proposal
is approved: back pay M(-1) = 238.00 once, resumed from M(0), the closure lifted. With the
proposal rejected (the person ``terminated`` again), or a true death of the 20th of M(-1)
reported and confirmed after the void (it takes the closure; the proposal, still open,
restores nothing), the visit is still withheld.
SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import clock_past_noon
from procedurekit import Office, month_day
from reversalkit import (
    THIS_MONTH,
    VOIDED_IN,
    Scene,
    last_day,
    proposed_certified,
    refused,
    restored_once,
)

from certhub.hub.comparison.certify import message_id
from certhub.hub.core.keys import STORE

from .test_restoration_suspended import OTHER_SUSPENSION


async def _voided_and_overdue(
    tmp_path: Path, aiohttp_client: Any, url: str | None
) -> tuple[Scene, dict[str, Any], str, int]:
    """The case above up to the hub's proposal (last certified on the 15th of M(-14): due
    M(-2)), refused for want of a certification: the scene, the person, the terminating task
    and the proposal's item."""
    scene, person, _ = Scene.alone(tmp_path)
    office, _, task, item = await proposed_certified(scene.on_ledger(url), aiohttp_client)
    accept = office.decide("restoration-proposals", item, "town-1", "accept")
    await refused(office, accept, 409, OTHER_SUSPENSION)
    await office.client.close()
    return scene, person, task, item


async def _seen_alive_now(scene: Scene, number: str) -> dict[str, Any]:
    """Health's medical visit of the 1st of M(0) compared (the clock past its noon, see
    :func:`clock_past_noon`): the run's ledger section."""
    with clock_past_noon(month_day(0)):
        return await scene.compare_health(
            THIS_MONTH, f"H1,{number},某人,,,medical_visit,{THIS_MONTH}-01,\n"
        )


async def _certified(office: Office, number: str) -> bool:
    store = office.client.app[STORE]
    return await store.find("adapter:comparison", message_id(THIS_MONTH, number)) is not None


async def test_seen_alive_under_review_is_certified_and_restored(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    scene, person, task, item = await _voided_and_overdue(tmp_path, aiohttp_client, ledger_url)
    number = person["id_number"]
    ledger = await _seen_alive_now(scene, number)
    assert (ledger["recorded"], ledger["withheld"]) == (1, {}), ledger
    office = await scene.office(aiohttp_client)
    assert await _certified(office, number)
    paid = await restored_once(office, item, number)
    assert paid == (f"{VOIDED_IN}-01", last_day(VOIDED_IN), "238.00"), task  # resumed M(0)
    await office.client.close()


async def test_seen_alive_after_the_proposal_is_rejected_is_withheld(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """Rejected, the person is ``terminated`` again: the visit certifies nobody."""
    scene, person, task, item = await _voided_and_overdue(tmp_path, aiohttp_client, None)
    number = person["id_number"]
    office = await scene.office(aiohttp_client)
    status, body = await office.decide("restoration-proposals", item, "town-1", "reject")
    assert status == 202, body
    await office.client.close()
    ledger = await _seen_alive_now(scene, number)
    assert (ledger["recorded"], ledger["withheld"]) == (0, {"benefit_closed": 1}), ledger
    office = await scene.office(aiohttp_client)
    assert not await _certified(office, number)
    assert await office.client.app[STORE].closed_benefit(number) == ("death", task)
    await office.client.close()


async def test_seen_alive_after_a_true_death_took_the_closure_is_withheld(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """The proposal still open, a death of the 20th of M(-1) reported and confirmed: the
    closure is that task's, the proposal older than it: the visit certifies nobody."""
    scene, person, _, _ = await _voided_and_overdue(tmp_path, aiohttp_client, None)
    number = person["id_number"]
    office = await scene.office(aiohttp_client)
    died = month_day(-1, 20)
    true_death = str((await office.reported_death(person, died))["task_id"])
    status, body = await office.step(true_death, "county-1", "confirmed", event_date=f"{died}")
    assert status == 202, body
    assert await office.client.app[STORE].closed_benefit(number) == ("death", true_death)
    await office.client.close()
    ledger = await _seen_alive_now(scene, number)
    assert ledger["recorded"] == 0, ledger
    office = await scene.office(aiohttp_client)
    assert not await _certified(office, number)
    await office.client.close()
