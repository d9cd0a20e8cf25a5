"""A person whose termination the departments voided is read by the register as overdue.

238.00 a month. Last certified in the app on the 15th of M(-14): due M(-2), liable from
the 1st of M(-1). Civil affairs records a false cremation of the 3rd of M(-2); the county
confirms the death (paid through M(-2)) and the roster says ``terminated``. Civil affairs
voids the record in M(-1): the hub proposes restoring the benefit (back pay M(-1) =
238.00, payment resumed from M(0)), a proposal refused (``restoration-other-suspension``)
until the person certifies.

Before, the hub's closure (still standing: only the restoration's approval lifts it) made
the register read the person as ``terminated``: never on the overdue list, never counted
overdue — the one certification that would let their 238.00 a month be restored was
asked of no one. Now a closure whose restoration is under review (the termination found
voided) is not read as terminated: the person is ``overdue`` (liable from the 1st of
M(-1)) in the overdue list, the person's own entry and the summary, and the sweep proposes
no suspension of a benefit the closure already stops; after the certification and the
approval the person is ``certified`` (due M(+12)). SQLite (the comparison's scene).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pgkit import throwaway_database
from procedurekit import Office, month_day, today
from reversalkit import (
    DIED,
    DIED_IN,
    VOIDED_IN,
    Scene,
    approved,
    back_pay,
    last_day,
    proposed_certified,
)

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.reminders import ReminderSweep
from certhub.hub.register.suspensions import ProposalSweep
from certhub.hub.rules.months import month_index, month_label


@asynccontextmanager
async def scene_on(tmp_path: Path, backend: str) -> AsyncIterator[Scene]:
    """The comparison's scene of one person dead on DIED, its runs and offices on
    ``backend``'s ledger."""
    scene = Scene.alone(tmp_path, DIED)[0]
    if backend == "sqlite":
        yield scene
        return
    with throwaway_database("certhub_register_voided") as url:
        yield scene.on_ledger(url)


async def read(office: Office, path: str, **params: str) -> Any:
    """What the province reads at ``path`` (the answer must be a 200)."""
    status, body = await office.get(path, **params)
    assert status == 200, body
    return body


async def overdue_ids(office: Office) -> list[str]:
    page = await read(office, "/v1/register/overdue", limit="50")
    return [entry["person"]["id_number"] for entry in page["items"]]


async def summary(office: Office, person: dict[str, Any]) -> dict[str, Any]:
    body = await read(office, "/v1/register/summary", area=person["region"]["county"])
    return dict(body["people"])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("roster", ["terminated", "active"])
async def test_a_voided_termination_leaves_the_person_overdue_not_terminated(
    tmp_path: Path, aiohttp_client: Any, backend: str, roster: str
) -> None:
    async with scene_on(tmp_path, backend) as scene:
        office, person, _, item = await proposed_certified(scene, aiohttp_client, roster)
        try:
            await overdue_then_certified(office, person, item)
        finally:
            await office.client.close()


async def overdue_then_certified(office: Office, person: dict[str, Any], item: int) -> None:
    number = person["id_number"]
    store = office.client.app[STORE]
    assert await store.closed_benefit(number) is not None  # the closure stands
    assert await overdue_ids(office) == [number]
    people = await listed_people(office, person)
    (entry,) = [e for e in people if e["person"]["id_number"] == number]
    assert entry["status"] == "overdue"
    assert entry["due_month"] == DIED_IN
    assert entry["liable_from"] == f"{VOIDED_IN}-01"
    counts = await summary(office, person)
    assert (counts["overdue"], counts["terminated"]) == (1, 0), counts
    # no suspension proposed of a benefit the hub's closure stops
    sweep = ProposalSweep(store, office.client.app[PROCEDURE].outcomes, grace_months=0)
    assert await sweep.sweep(today()) == 0
    assert await store.reminders_due(month_index(today()) - 2, 2, "", 10) == []

    await office.certified_in_app(person)  # alive: the due month moves on
    assert await overdue_ids(office) == []
    status, body = await approved(office, item)
    assert status == 202, body
    assert await back_pay(office) == (f"{VOIDED_IN}-01", last_day(VOIDED_IN), "238.00")
    assert await store.closed_benefit(number) is None


async def kpi_total(office: Office, person: dict[str, Any]) -> dict[str, Any]:
    """This month's assessment figures of the person's county as one unit."""
    period = month_label(month_index(today()))
    county = person["region"]["county"]
    body = await read(office, "/v1/kpis", period=period, level="county", area=county)
    return dict(body["total"])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_the_assessment_counts_the_person_as_the_register_does(
    tmp_path: Path, aiohttp_client: Any, backend: str
) -> None:
    """Under review, the person is one of the assessment's ``people`` and ``overdue`` (last
    certified M(-14), 13 or more months before M(0)), as the summary's ``overdue`` (due
    M(-2)); before, the KPIs left them out (0 people, 0 overdue: the roster's ``terminated``
    and the hub's closure) while the summary counted them overdue. Certified today and
    restored (the province's next entry active): one person, covered, not overdue, in
    both."""
    async with scene_on(tmp_path, backend) as scene:
        office, person, _, item = await proposed_certified(scene, aiohttp_client)
        try:
            counts, kpis = await summary(office, person), await kpi_total(office, person)
            assert (counts["overdue"], counts["terminated"]) == (1, 0), counts
            assert (kpis["people"], kpis["overdue"], kpis["covered"]) == (1, 1, 0), kpis
            await office.certified_in_app(person)
            assert (await approved(office, item))[0] == 202
            # the province's next entry: active, paid through M(0) (payment resumed from it)
            await office.roster(person, paid_through=month_label(month_index(today())))
            counts, kpis = await summary(office, person), await kpi_total(office, person)
            assert (counts["certified"], counts["overdue"], counts["terminated"]) == (1, 0, 0)
            assert (kpis["people"], kpis["overdue"], kpis["covered"]) == (1, 0, 1), kpis
        finally:
            await office.client.close()


async def test_a_rejected_restoration_reads_terminated_again(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """The county rejects restoring the benefit: the closure is the hub's word again, the
    person ``terminated`` (never overdue, never reminded), as before the void."""
    async with scene_on(tmp_path, "sqlite") as scene:
        office, person, _, item = await proposed_certified(scene, aiohttp_client)
        assert (await office.decide("restoration-proposals", item, "town-1", "reject"))[0] == 202
        assert await overdue_ids(office) == []
        counts = await summary(office, person)
        assert (counts["overdue"], counts["terminated"]) == (0, 1), counts
        kpis = await kpi_total(office, person)
        assert (kpis["people"], kpis["overdue"]) == (0, 0), kpis  # as the summary: terminated


async def test_due_soon_under_a_voided_termination_is_listed_never_reminded(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """Certified on the 15th of M(-11): due M(+1). The false death voided, the person is on
    the due list (``within=2``) but gets no SMS while the closure stands; the proposal
    approved without a certification (not overdue: back pay M(-1) = 238.00), the province's
    next entry ``active``: the reminder of the month before the due month goes out, once."""
    async with scene_on(tmp_path, "sqlite") as scene:
        certified_in = month_label(month_index(today()) - 11)
        office, person, _, item = await proposed_certified(
            scene, aiohttp_client, certified_in=certified_in
        )
        number = person["id_number"]
        page = await read(office, "/v1/register/due", within="2")
        assert [e["person"]["id_number"] for e in page["items"]] == [number]
        assert page["items"][0]["status"] == "due"
        sweep = ReminderSweep(office.client.app[STORE], per_cycle=2)
        assert await sweep.sweep(today()) == 0  # the closure stands: no SMS
        status, body = await approved(office, item)
        assert status == 202, body
        assert await back_pay(office) == (f"{VOIDED_IN}-01", last_day(VOIDED_IN), "238.00")
        await office.roster(person, paid_through=month_label(month_index(today())))
        assert await sweep.sweep(today()) == 1  # active again: the month before the due month
        assert await sweep.sweep(today()) == 0


async def listed_people(office: Office, person: dict[str, Any]) -> list[dict[str, Any]]:
    page = await read(office, "/v1/register/people", area=person["region"]["county"], limit="50")
    return list(page["items"])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_true_death_after_the_void_reads_terminated_while_the_old_proposal_is_open(
    tmp_path: Path, aiohttp_client: Any, backend: str
) -> None:
    """The proposal still open, a death of the 20th of M(-1) is reported and confirmed: the
    closure is that task's, and the proposal, older than it, restores nothing. Before, the
    register read the dead person as alive (``overdue`` on the list, in the summary and in
    the assessment's people) until staff rejected the old proposal; now ``terminated``."""
    async with scene_on(tmp_path, backend) as scene:
        office, person, _, _ = await proposed_certified(scene, aiohttp_client)
        try:
            number = person["id_number"]
            died = month_day(-1, 20)
            true_death = await office.confirmed_death(person, died)
            assert await office.client.app[STORE].closed_benefit(number) == ("death", true_death)
            assert await overdue_ids(office) == []
            (entry,) = [
                e for e in await listed_people(office, person) if e["person"]["id_number"] == number
            ]
            assert entry["status"] == "terminated"
            counts = await summary(office, person)
            assert (counts["overdue"], counts["terminated"]) == (0, 1), counts
            kpis = await kpi_total(office, person)
            assert (kpis["people"], kpis["overdue"]) == (0, 0), kpis
        finally:
            await office.client.close()
