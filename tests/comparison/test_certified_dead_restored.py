"""A home-visit certification held while a false death stood is announced once the death is
reversed and the benefit restored; one whose death the county upheld never is.

A false cremation of the 3rd of M(-2) is confirmed (the roster paid through M(-2)). A
coordinator then certifies the person at home, approved at two levels: held — no "passed"
SMS, a death task opened for people saying why. Civil affairs voids the record: the
termination is voided and its restoration proposed; the proposal's approval is refused
while the held death task is open (``restoration-verification-open``, the person may yet be
dead). Town staff clear it (found alive); the county approves the restoration (back pay
M(-1) = 238.00, resumed from M(0)) and, in the same transaction, the held SMS is queued
(audit ``certification_released``). Upheld instead (the county confirms the death task
before the void), the certification restores nothing: the void's proposal is refused over
that finding (``restoration-finding-confirmed``, as for any death confirmed while the
termination stood) and the SMS is never queued. SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from heldkit import (
    held_task,
    home_visit,
    home_visit_event,
    ministry_uplink,
    notice_queued,
    uplinked,
)
from procedurekit import Office
from reversalkit import DIED_IN, PROBLEM, VOIDED_IN, Scene, approved, audited, outcomes

from certhub.hub.core.keys import STORE
from certhub.hub.core.settings import Settings


@pytest.fixture
async def recorded(ledger_url: str | None, tmp_path: Path) -> Scene:
    """One pensioner's false cremation of the 3rd of M(-2) compared on ``ledger_url``'s
    ledger: the death task open."""
    scene = Scene.alone(tmp_path)[0].on_ledger(ledger_url)
    await scene.compare(DIED_IN)
    return scene


async def held(scene: Scene, aiohttp_client: Any, *, upheld: bool) -> tuple[Office, str, int, int]:
    """The scene's death confirmed, a home visit then approved (held), the county upholding
    the death if ``upheld``, then the death voided, and town staff's acceptance of the
    restoration proposal refused: ``restoration-verification-open`` while the held death task
    is open, ``restoration-finding-confirmed`` once the county upheld the death. An office,
    the person's ID number, the certification's item and the restoration proposal's."""
    number = scene.person["id_number"]
    office = await scene.office(aiohttp_client)
    await scene.confirmed_deaths(office)
    item = await home_visit(office, scene.person)
    assert not await notice_queued(office, item)
    task = await held_task(office, number)
    if upheld:
        assert (await office.step(task["task_id"], "county-1", "confirmed"))[0] == 202
    await office.client.close()
    office, items = await scene.voided(aiohttp_client)
    refusal = "restoration-finding-confirmed" if upheld else "restoration-verification-open"
    status, body = await office.decide("restoration-proposals", items[number], "town-1", "accept")
    assert (status, body.get("type")) == (409, PROBLEM + refusal), body
    return office, number, item, items[number]


async def restored_announces(office: Office, proposal: int, number: str, item: int) -> None:
    """The voided termination's restoration ``proposal`` approved: the closure lifted, paid
    through M(-2) and terminated from M(-1), back pay M(-1) = 1 x 238.00 = 238.00; the held
    certification ``item`` announced (queued, audited ``certification_released``) once."""
    status, body = await approved(office, proposal)
    assert status == 202, body
    store = office.client.app[STORE]
    assert await store.closed_benefit(number) is None
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}
    assert await notice_queued(office, item)
    assert await audited(office, "certification_released") == [str(item)]
    await office.client.close()


async def cleared(office: Office, number: str) -> dict[str, Any]:
    """Town staff clear the death task the held certification of ``number`` opened (found
    alive): the task."""
    task = await held_task(office, number)
    assert (await office.step(task["task_id"], "town-1", "cleared"))[0] == 202
    return task


async def approved_once_dead(scene: Scene, office: Office, event: dict[str, Any]) -> int:
    """The home visit ``event`` filed and accepted while the false death's task is open, the
    county confirming the death (termination signed) and only then approving the visit: its
    item."""
    item = await office.accepted("certifications", "channel", event)
    await scene.confirmed_deaths(office)
    status, body = await office.decide("certifications", item, "county-1", "approve")
    assert status == 202, body
    return item


async def test_a_false_death_reversed_announces_the_held_certification(
    recorded: Scene, aiohttp_client: Any
) -> None:
    # refused while the held death task is open (the person may yet be dead)
    office, number, item, proposal = await held(recorded, aiohttp_client, upheld=False)
    await cleared(office, number)
    await restored_announces(office, proposal, number, item)  # the normal restoration


async def test_a_death_upheld_never_announces_the_held_certification(
    recorded: Scene, aiohttp_client: Any
) -> None:
    # people upheld the death: a withdrawn record restores nothing over their finding
    office, number, item, _ = await held(recorded, aiohttp_client, upheld=True)
    assert await office.client.app[STORE].closed_benefit(number) is not None
    assert not await notice_queued(office, item)
    assert await audited(office, "certification_released") == []
    await office.client.close()


async def test_a_false_death_reversed_pushes_the_held_app_certification_upward(
    recorded: Scene, aiohttp_client: Any, tmp_path: Path
) -> None:
    scene, number = recorded, recorded.person["id_number"]
    scene.settings = Settings(
        data_dir=scene.settings.data_dir,
        identity_check="off",
        database_url=scene.settings.database_url,
        **ministry_uplink(tmp_path),
    )
    office = await scene.office(aiohttp_client)
    await scene.confirmed_deaths(office)
    sequence = await office.certified_in_app(scene.person)  # final on arrival: held
    assert not await uplinked(office, sequence)
    await cleared(office, number)
    await office.client.close()
    office, items = await scene.voided(aiohttp_client)
    status, body = await approved(office, items[number])
    assert status == 202, body
    assert await uplinked(office, sequence)
    assert await audited(office, "certification_released") == [str(sequence)]
    await office.client.close()


async def test_a_visit_filed_before_the_death_and_held_is_announced_once_reversed(
    recorded: Scene, aiohttp_client: Any
) -> None:
    # approved only once the death stands: held, as any approved while the death stands
    number = recorded.person["id_number"]
    office = await recorded.office(aiohttp_client)
    event = await home_visit_event(office, recorded.person)
    item = await approved_once_dead(recorded, office, event)
    assert not await notice_queued(office, item)
    assert (await cleared(office, number))["task_id"] == f"task-{item}"
    await office.client.close()
    office, items = await recorded.voided(aiohttp_client)
    # the death reversed: the visit held since its approval is announced (it was filed
    # before the termination was signed, but never announced)
    await restored_announces(office, items[number], number, item)


async def test_a_held_app_certification_naming_another_region_is_verified_where_the_death_was(
    recorded: Scene, aiohttp_client: Any
) -> None:
    # the app names the person in county B (福田区); the death was confirmed, and its
    # restoration is filed and decided, where the termination names the person
    number = recorded.person["id_number"]
    office = await recorded.office(aiohttp_client)
    await recorded.confirmed_deaths(office)
    (termination,) = await outcomes(office, "termination/v1")
    signed_in = termination["payload"]["person"]["region"]
    elsewhere = {"county": "440304", "village": "440304001201"}
    assert signed_in["county"] != elsewhere["county"]
    await office.certified_in_app(recorded.person | {"region": elsewhere})  # held

    async def listed(area: str) -> list[dict[str, Any]]:
        response = await office.client.get(
            "/v1/verification-tasks", params={"status": "open"},
            headers=office.bearer("province", area=area),
        )  # fmt: skip
        page = await response.json()
        assert response.status == 200, page
        return [t for t in page["items"] if t["person"]["id_number"] == number]

    # before: opened in county B, which never saw the death; the termination's county,
    # which must clear it before the restoration, did not list it
    (task,) = await listed(signed_in["county"])
    assert task["kind"] == "death"
    assert task["person"]["region"] == signed_in
    assert await listed(elsewhere["county"]) == []
    await office.client.close()


@pytest.mark.xfail(
    strict=True,
    reason="product question: is a certification made before the "
    "death's date held (a death task opened) though it does not contradict it?",
)
async def test_a_visit_made_before_the_death_date_is_not_held(
    recorded: Scene, aiohttp_client: Any
) -> None:
    # visited the 1st of M(-2), two days before the cremation of the 3rd: approved once the
    # death is confirmed, it says nothing against it - announced, no death task opened
    office = await recorded.office(aiohttp_client)
    event = await home_visit_event(office, recorded.person)
    event["occurred_at"] = f"{DIED_IN}-01T02:00:00+00:00"
    item = await approved_once_dead(recorded, office, event)
    try:
        assert await notice_queued(office, item)
        assert await audited(office, "certification_held") == []
    finally:
        await office.client.close()
