"""An app certification planned while the pensioner's death task is open, committed after the
county confirmed the death: refused, then held. SQLite and PostgreSQL. 238.00 a month.

The rule (``hub/procedure/certified_dead.py``): a certification of a person whose death the
hub confirmed (the benefit closed) is held - a death task opened to verify the death again,
nothing announced. A cremation of the 3rd of M(-2) is compared (the death task open, the
roster paid through M(-2)). The pensioner certifies in the app: planned while no death
stands, as any other (the register's entry, pushed upward where an uplink is configured).
Before it commits, the county confirms the death (the benefit terminated). Before, it then
committed as planned (202): the register counted a proof of life of a person the hub holds
dead, and no task said a proof of life came after the death was confirmed - nobody verified
the death again and 238.00 a month stayed stopped for a pensioner who may be alive (seen on
both ledgers, 2026-12-07). Now the certification carries the closure it read (none) to its
write (``Effects.closure_read``: one primary-key read of ``closed_benefits``), and is refused
(409 ``conflict``, nothing stored); sent again, it is held (a death task open). The county's
approval of a coordinator's home visit, planned the same way (announced: the "passed" SMS
queued, the uplink), is refused alike and, decided again, held (no SMS).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from heldkit import home_visit_event, notice_queued
from hubkit import app_event
from racekit import CONFLICT, DECISION
from reversalkit import DIED_IN, Scene

from certhub.hub.core.keys import STORE
from certhub.hub.store.effects import NO_EFFECTS, Effects
from certhub.hub.store.records import NewMessage

CERTIFICATION = "certification_event/v1"


@contextmanager
def held(store: Any, message_type: str) -> Iterator[tuple[asyncio.Event, asyncio.Event]]:
    """The first append of ``message_type`` on ``store`` waits, once planned (the first
    event set), until released (the second)."""
    original: Callable[..., Awaitable[Any]] = store.append
    planned, released = asyncio.Event(), asyncio.Event()

    async def append(message: NewMessage, receipt_for: Any, effects: Effects = NO_EFFECTS) -> Any:
        if message.message_type == message_type and not planned.is_set():
            planned.set()
            await asyncio.wait_for(released.wait(), 20.0)
        return await original(message, receipt_for, effects)

    store.append = append
    try:
        yield planned, released
    finally:
        store.append = original


async def test_announced_certification_committing_after_the_death_is_confirmed(
    ledger_url: str | None, aiohttp_client: Callable[..., Any], tmp_path: Path
) -> None:
    scene, person, number = Scene.alone(tmp_path)
    scene = scene.on_ledger(ledger_url)
    assert (await scene.compare(DIED_IN))["reports"] == {"task_opened": 1}
    office = await scene.office(aiohttp_client)
    store = office.client.app[STORE]
    try:
        with held(store, CERTIFICATION) as (planned, released):
            sent = asyncio.create_task(
                office.post("/v1/certifications", "channel", app_event(person))
            )
            await asyncio.wait_for(planned.wait(), 20.0)  # planned: no death stands
            await scene.confirmed_deaths(office)  # the benefit terminated
            released.set()
            status, body = await sent
        assert await store.closed_benefit(number) is not None
        # before: 202, recorded for a person the hub holds dead, no task to verify it again
        assert (status, body.get("type")) == (409, CONFLICT), body
        status, body = await office.post("/v1/certifications", "channel", app_event(person))
        assert status == 202, body
        assert await store.find_open_task(number, "death") is not None  # verified again
    finally:
        await office.client.close()


async def test_approval_committing_after_the_death_is_confirmed(
    ledger_url: str | None, aiohttp_client: Callable[..., Any], tmp_path: Path
) -> None:
    # the county's approval of a coordinator's home visit, planned while the death task is
    # open (announced: the "passed" SMS, the uplink), committed after the death is confirmed
    scene, person, number = Scene.alone(tmp_path)
    scene = scene.on_ledger(ledger_url)
    await scene.compare(DIED_IN)
    office = await scene.office(aiohttp_client)
    store = office.client.app[STORE]
    try:
        item = await office.accepted(
            "certifications", "channel", await home_visit_event(office, person)
        )
        with held(store, DECISION) as (planned, released):
            sent = asyncio.create_task(office.decide("certifications", item, "county-1", "approve"))
            await asyncio.wait_for(planned.wait(), 20.0)  # planned: no death stands
            await scene.confirmed_deaths(office)
            released.set()
            status, body = await sent
        # before: 202, the SMS "passed" queued for a person the hub holds dead, no task
        assert (status, body.get("type")) == (409, CONFLICT), body
        status, body = await office.decide("certifications", item, "county-1", "approve")
        assert status == 202, body
        assert not await notice_queued(office, item)  # held: nothing announced
        assert await store.find_open_task(number, "death") is not None  # verified again
    finally:
        await office.client.close()
