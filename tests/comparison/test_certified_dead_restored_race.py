"""A certification of a person whose false death is being reversed, planned while the death
stood and committed after the benefit was restored: refused, then announced as any other.
PostgreSQL (the comparison's run writes beside the hub).

A false cremation of the 3rd of M(-2) is confirmed (the roster paid through M(-2)). A
certification is planned while the death stands - the county's approval of a coordinator's
home visit (held: a death task ``task-<item>`` to open, no SMS, no uplink), or an app
certification arriving (held on arrival: ``task-held.<hash>``, nothing upward) - and, before
it commits, civil affairs' void is compared (the termination voided, its restoration
proposed) and the proposal approved (the closure lifted, back pay M(-1) = 238.00; it found
no held certification to announce: this one was not recorded yet). Before, the certification
then committed as planned: a death task opened for a pensioner just restored (confirmed, it
terminates the benefit again: 238.00 a month stopped) and the certification never announced
(no "passed" SMS, not pushed upward: the ministry still holds the person dead). Now the hold
carries what it read of the person (its closure among it, ``hub/store/person_guard.py``) and
is refused (409 ``conflict``, nothing stored); sent again, the death reversed, it is
announced as any other and opens no task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from heldkit import home_visit_event, notice_queued
from hubkit import app_event
from pgkit import throwaway_database
from procedurekit import Office
from racekit import CONFLICT, DECISION
from reversalkit import DIED_IN, VOIDED_IN, Scene, approved, proposals

from certhub.hub.core.keys import STORE
from certhub.hub.store.effects import NO_EFFECTS, Effects
from certhub.hub.store.records import NewMessage

CERTIFICATION = "certification_event/v1"
_DEADLINE = 20.0  # seconds to wait for the held message (never reached)


class Held:
    """The first message of type ``held`` held at the ledger's append until :meth:`release`."""

    def __init__(self, held: str) -> None:
        self.held = held
        self.planned = asyncio.Event()
        self._released = asyncio.Event()

    def release(self) -> None:
        """Let the held message commit."""
        self._released.set()

    @contextmanager
    def holding(self, store: Any) -> Iterator[None]:
        """Hold the message's append on ``store`` while the block runs."""
        original: Callable[..., Awaitable[Any]] = store.append

        async def append(
            message: NewMessage, receipt_for: Any, effects: Effects = NO_EFFECTS
        ) -> Any:
            if message.message_type == self.held and not self.planned.is_set():
                self.planned.set()
                await asyncio.wait_for(self._released.wait(), _DEADLINE)
            return await original(message, receipt_for, effects)

        store.append = append
        try:
            yield
        finally:
            store.append = original


@pytest.mark.parametrize("held", [DECISION, CERTIFICATION], ids=["home-visit", "app"])
async def test_a_hold_planned_before_the_death_is_reversed_is_refused(
    held: str, aiohttp_client: Callable[..., Any], tmp_path: Path
) -> None:
    with throwaway_database("certhub_held_race") as url:
        scene = Scene.alone(tmp_path)[0].on_ledger(url)
        await scene.compare(DIED_IN)
        office = await scene.office(aiohttp_client)
        try:  # closed before the database is dropped, whatever the test found
            await scene.confirmed_deaths(office)
            await _raced(scene, office, held)
        finally:
            await office.client.close()


async def _raced(scene: Scene, office: Office, held: str) -> None:
    """The certification ``held`` planned, the death reversed, then its commit."""
    number = scene.person["id_number"]
    item = None  # the home visit's, accepted by town staff: the county's approval is held
    if held == DECISION:
        event = await home_visit_event(office, scene.person)
        item = await office.accepted("certifications", "channel", event)

    async def send() -> tuple[int, dict[str, Any]]:
        if item is not None:
            return await office.decide("certifications", item, "county-1", "approve")
        return await office.post("/v1/certifications", "channel", app_event(scene.person))

    hold = Held(held)
    with hold.holding(office.client.app[STORE]):
        contender = asyncio.create_task(send())
        await asyncio.wait_for(hold.planned.wait(), _DEADLINE)  # planned: the death stands
        reversals = (await scene.compare(VOIDED_IN))["reversals"]
        assert reversals == {"restoration_proposed": 1}, reversals
        proposal = int((await proposals(office))[number]["sequence"])
        status, body = await approved(office, proposal)
        assert status == 202, body  # the closure lifted, M(-1) back-paid
        hold.release()
        status, body = await contender
    store = office.client.app[STORE]
    assert await store.closed_benefit(number) is None
    # before: 202, a death task opened for the restored pensioner, nothing announced
    assert (status, body.get("type")) == (409, CONFLICT), body
    status, body = await send()
    assert status == 202, body
    assert await store.find_open_task(number, "death") is None
    if item is not None:
        assert await notice_queued(office, item)  # the "passed" SMS
