"""A voided termination is not restored to a person who became overdue while it stood.

238.00 a month. The person last certified on the 15th of M(-14): due M(-2), liable to
suspension from the 1st of M(-1). Civil affairs records a false cremation on the 3rd of
M(-2); the county confirms the death (the roster paid through M(-2)) and the province
applies it (``terminated``). While the hub's closure stands the register never proposes
suspending the person (a terminated benefit is never due, overdue or proposed). Civil
affairs voids the record in M(-1) and the hub proposes the restoration: back pay of
M(-1) = 238.00 and payment resumed from M(0).

Before, the proposal (and staff's ``restoration/v1``) was approved: 238.00 back-paid and
payment resumed for a person whose last proof of life is 14 months old — the very case a
suspended roster already refuses (``restoration-other-suspension``) and the register
would have proposed suspending from the 1st of M(-1) but for the closure. The void of a
department's record proves no one alive. Now, whatever the roster says, each is
``restoration-other-suspension`` (409, nothing stored, the closure staying) until a passed
certification moves the due month on; then the proposal back-pays M(-1) once (238.00).
SQLite (the rule is pure; the store writes nothing new).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from procedurekit import Office
from reversalkit import (
    DIED_IN,
    VOIDED_IN,
    Scene,
    held_open,
    last_day,
    proposals,
    proposed_certified,
    refused,
    restored_once,
)

from certhub.hub.core.keys import STORE
from certhub.hub.rules.months import month_label

from .test_restoration_suspended import OTHER_SUSPENSION, staff_proposal


async def overdue_and_voided(
    tmp_path: Path, aiohttp_client: Any
) -> tuple[Office, dict[str, Any], str, int]:
    """The case above, up to the hub's proposal: the office, the person, the terminating task
    and the proposal's item."""
    scene, _, _ = Scene.alone(tmp_path)
    office, person, task, item = await proposed_certified(scene, aiohttp_client)
    row = await office.client.app[STORE].register_person(person["id_number"])
    assert row is not None
    assert row.due_month is not None
    assert month_label(row.due_month) == DIED_IN  # due in the month of the false death
    return office, person, task, item


async def test_a_person_overdue_under_a_voided_termination_certifies_before_being_paid(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, task, item = await overdue_and_voided(tmp_path, aiohttp_client)
    store, number = office.client.app[STORE], person["id_number"]
    await held_open(office, person, item, task, f"due {DIED_IN}", slug=OTHER_SUSPENSION)
    assert await store.counted_months(number, "resumed") == set()

    await office.certified_in_app(person)  # alive after all: the due month moves on
    paid = await restored_once(office, item, number)
    assert paid == (f"{VOIDED_IN}-01", last_day(VOIDED_IN), "238.00")  # once, resumed M(0)


async def test_staff_s_own_proposal_waits_for_the_certification_too(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """The hub's proposal rejected, staff propose restoring the voided termination
    themselves: refused the same way (nothing stored) until the person certifies."""
    office, person, task, item = await overdue_and_voided(tmp_path, aiohttp_client)
    store, number = office.client.app[STORE], person["id_number"]
    hubs = (await proposals(office))[number]["payload"]
    assert (await office.decide("restoration-proposals", item, "town-1", "reject"))[0] == 202
    own = office.post("/v1/restoration-proposals", "town-1", staff_proposal(hubs))
    await refused(office, own, 409, OTHER_SUSPENSION)
    assert await store.closed_benefit(number) == ("death", task)
    await office.certified_in_app(person)
    status, body = await office.post("/v1/restoration-proposals", "town-1", staff_proposal(hubs))
    assert status == 202, body
