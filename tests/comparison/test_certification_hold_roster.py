"""The comparison never certifies (免办) a person whose roster entry the province terminated.

Ann and Bea are seen alive in October (a health department's medical visit). Between the
month's roster file and the run's recording, the province's entry for Ann says
``terminated`` (its own record of her death, say): before, she was certified and her family
texted "certification complete, do nothing" — the hub's holds read its own closures and
tasks only. Now she is withheld (``roster_terminated``), Bea alone certified and texted;
on SQLite through ``certhub compare run`` and the HTTP API, on PostgreSQL too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pgkit import throwaway_database

from .test_certification_holds import SEEN, _case, _held_not_certified, _withheld_run

WHY = "roster: benefit terminated by the province"


async def test_a_roster_terminated_withholds_the_certification(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    case = _case(tmp_path)
    office = await case.office(aiohttp_client)
    await office.roster(case.people[0], status="terminated", paid_through="2026-09")
    await office.client.close()
    why, body, metrics = await _withheld_run(case, aiohttp_client, "roster_terminated")
    assert why == WHY
    assert body["ledger"]["withheld"] == {"roster_terminated": 1}
    assert 'certhub_comparison_people{outcome="withheld",scope="all"} 1.0' in metrics


async def test_a_roster_terminated_is_held_on_postgresql(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    case = _case(tmp_path)
    ann, bea = (p["id_number"] for p in case.people)
    with throwaway_database("certhub_holds_roster") as url:
        case.on_ledger(url)
        office = await case.office(aiohttp_client)
        await office.roster(case.people[0], status="terminated", paid_through="2026-09")
        await office.client.close()
        ledger = await case.compare(SEEN)
        assert (ledger["recorded"], ledger["withheld"]) == (1, {"roster_terminated": 1})
        held = await _held_not_certified(case.settings, ann, bea)
    assert held == {ann: ("roster_terminated", WHY)}
