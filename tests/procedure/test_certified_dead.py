"""Through the hub's HTTP API: a home-visit certification of a person whose death the hub
confirmed is accepted, but the "certification passed" SMS and the uplink to the ministry
are held, and a verification of the death is opened for people.

Before, the county's approval of such a certification queued the SMS telling the dead
person's number that the certification passed and pushed the certification upward: the
ministry told that a person the hub terminated for death is alive, nothing asking anyone
whether the death was false. Now the certification is in the ledger and approved (its
evidence kept: it may be a living person's proof against a false death report), nothing is
queued for it, and a death verification task opened by the hub names the certification
and the death (their records and dates). Confirmed again by the county, the death is
upheld: the held SMS and uplink are never sent and the certification restores nothing.
A living pensioner's certification, the control, is sent and goes upward as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from heldkit import held_task, home_visit, ministry_uplink, notice_queued, uplinked
from procedurekit import Office, month_day, sent_in_time

from certhub.hub.core.keys import NOTICE_SENDER, OUTBOX_DELIVERY
from certhub.hub.delivery.notices import LoggingNoticeSender


@pytest.fixture
def office_settings(tmp_path: Path) -> dict[str, Any]:
    """A ministry playing the uplink role (:func:`heldkit.ministry_uplink`)."""
    return ministry_uplink(tmp_path)


def sent(office: Office) -> dict[str, str]:
    """What the hub's notifier sent, by notice id."""
    notifier = office.client.app[NOTICE_SENDER]
    assert isinstance(notifier, LoggingNoticeSender)
    return notifier.sent


async def test_a_dead_persons_certification_is_held_and_the_death_verified(
    office_db: Office,
) -> None:
    office = office_db
    dead, alive = office.people.person(), office.people.person()
    for person in (dead, alive):
        await office.roster(person, contact_mobile="13800138000")
    died = month_day(-2, 3)
    death = await office.confirmed_death(dead, died)

    item = await home_visit(office, dead)
    control = await home_visit(office, alive)
    await office.client.app[OUTBOX_DELIVERY].drain()

    # the living pensioner: told and sent upward, as before
    await sent_in_time(sent(office), f"certification:{control}")
    assert await uplinked(office, control)
    # the dead: approved and kept, but nothing tells anyone the person is alive
    assert not await notice_queued(office, item)
    assert f"certification:{item}" not in sent(office)
    assert not await uplinked(office, item)
    task = await held_task(office, dead["id_number"])
    why = task["remarks"]
    assert f"certification {item}" in why, why
    assert f"task {death}" in why, why
    assert died.isoformat() in why, why
    # the register stays terminated
    status, body = await office.get(f"/v1/verification-tasks/{death}")
    assert (status, body["status"]) == (200, "confirmed"), body

    # the county upholds the death: the held SMS and uplink are never sent
    status, body = await office.step(task["task_id"], "county-1", "confirmed")
    assert status == 202, body
    await office.client.app[OUTBOX_DELIVERY].drain()
    assert not await notice_queued(office, item)
    assert f"certification:{item}" not in sent(office)
    assert not await uplinked(office, item)
    status, body = await office.get(f"/v1/verification-tasks/{task['task_id']}")
    assert (status, body["status"]) == (200, "confirmed"), body
    assert "restores nothing" in body["remarks"], body


async def test_a_dead_persons_app_certification_is_not_pushed_upward(office_db: Office) -> None:
    """Self-service (the app): final on arrival, no SMS of its own — and no uplink while
    the death stands; a death task opened, naming the certification."""
    office = office_db
    dead, alive = office.people.person(), office.people.person()
    for person in (dead, alive):
        await office.roster(person)
    death = await office.confirmed_death(dead, month_day(-2, 3))

    item = await office.certified_in_app(dead)
    control = await office.certified_in_app(alive)

    assert await uplinked(office, control)
    assert not await uplinked(office, item)
    why = (await held_task(office, dead["id_number"]))["remarks"]
    assert f"task {death}" in why, why
    assert "certification channel:" in why, why
