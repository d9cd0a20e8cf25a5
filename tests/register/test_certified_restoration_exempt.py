"""A 免办 certification ending the hub's suspension for non-certification opens the
restoration proposal of it, as any other channel's does. SQLite and PostgreSQL.

238.00 a month. A pensioner last certified in the app on the 15th of M(-15) (due M(-3)),
suspended by the hub on the approved proposal from the 1st of M(-2) (the province applied
it: paid through M(-3)). The M(0) comparison sees them alive (a medical visit of the 1st of
M(0)): certified, and the certification opens the proposal in its transaction; approved:
back pay M(-2)..M(-1) = 476.00, resumed from M(0). Re-running the period opens no second.

So it is in the middle of a batch of three: the comparison records a batch's first and
last certification through the planner and the others from their shape, without reading
the ledger — but the people the hub suspended on an approved proposal (read once a run) go
through the planner one by one. Before, the one in the middle was certified and no proposal
was opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from comparisonkit import ComparisonCase, clock_past_noon
from latekit import label
from notcertifiedkit import open_proposals, restoration_signed, suspended_by_the_hub
from pgkit import throwaway_database
from procedurekit import month_day, month_end
from reversalkit import outcomes

from certhub.hub.core.keys import STORE
from certhub.mocks.population import Population


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_data_comparison_certification_opens_the_proposal(
    tmp_path: Path, aiohttp_client: Any, backend: str, count: int
) -> None:
    population = Population(seed=31)
    people = sorted((population.person() for _ in range(count)), key=lambda p: p["id_number"])
    case = ComparisonCase.prepare(tmp_path, people, {})
    if backend == "sqlite":
        await _seen_alive(case, aiohttp_client)
        return
    with throwaway_database("certhub_certified_exempt") as url:
        await _seen_alive(case.on_ledger(url), aiohttp_client)


async def _seen_alive(case: ComparisonCase, aiohttp_client: Any) -> None:
    now = label(0)  # this month (China time), read as the test runs
    others = list(case.people)
    suspended = others.pop(len(others) // 2)
    office = await case.office(aiohttp_client)
    for person in others:
        await office.roster(person, paid_through=label(-1))
        await office.certified_in_app(person, f"{label(-6)}-15T10:00:00+08:00")
    await suspended_by_the_hub(office, suspended)
    await office.client.close()

    seen = "".join(
        f"H{n},{p['id_number']},某人,,,medical_visit,{now}-01,\n"
        for n, p in enumerate(case.people, start=1)
    )
    with clock_past_noon(month_day(0)):  # the visits' noon (see clock_past_noon)
        assert (await case.compare_health(now, seen))["recorded"] == len(case.people)

    office = await case.office(aiohttp_client)
    store = office.client.app[STORE]
    (opened,) = await open_proposals(office)
    assert opened["payload"]["person"]["id_number"] == suspended["id_number"]
    assert opened["payload"]["suspension"]["certified_on"] == f"{now}-01"
    signed = await restoration_signed(office, opened["sequence"])
    assert (signed["back_pay_from"], signed["back_pay_to"], signed["back_pay_amount"]) == (
        month_day(-2).isoformat(),
        month_end(-1).isoformat(),
        "476.00",
    )
    assert signed["restore_from"] == month_day(0).isoformat()
    number = suspended["id_number"]
    assert await store.counted_months(number, "back_paid") == {label(-2), label(-1)}
    await office.client.close()
    await case.compare(now)  # the same period again: nothing new
    office = await case.office(aiohttp_client)
    assert len(await outcomes(office, "restoration_proposal/v1")) == 1
    await office.client.close()
