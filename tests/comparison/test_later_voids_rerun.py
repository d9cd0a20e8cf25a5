"""A month's run does not read its own earlier output as a later run's voids: the same
input run twice gives the same result. SQLite and PostgreSQL.

Civil affairs' M(-2) feed first holds cremation C1 of the 3rd and its void V1 of the 20th
(the run finds no task on C1: ``no_task``); the department then sends the month's feed
again without V1 (the void was its mistake), and the operator runs M(-2) again, twice.
Before, the first of those runs read its own previous ``reversals.json`` (a recorded run of
the period) as a later void, withdrew C1 (``later_void``) and wrote it with ``void_run``
naming itself; the second no longer read that row (not an own-feed row) and opened a death
task on C1: the same feed and roster, two different outcomes, the second undoing the first.
Now a run reads the voids of the other runs of its period or later, never its own: both
runs of the corrected feed act on C1 (the feed's truth): the first opens the task, the
second finds its report recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import HEADER, ComparisonCase, roster_csv
from procedurekit import today

from certhub.hub.rules.months import month_index, month_label


def _m2() -> str:
    return month_label(month_index(today()) - 2)


async def test_a_month_run_again_does_not_read_its_own_voids(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    case = ComparisonCase.one_person(tmp_path, 11, ledger_url)
    number = case.person["id_number"]
    folder = case.tmp / _m2()
    folder.mkdir()
    (folder / "roster.csv").write_text(roster_csv(case.people), encoding="utf-8")
    cremation = f"C1,{number},某人,,,cremation,{_m2()}-03,\n"
    void = f"V1,{number},某人,,,void,{_m2()}-20,C1\n"
    (folder / "civil_affairs.csv").write_text(HEADER + cremation + void, encoding="utf-8")
    assert (await case.compare(_m2()))["reversals"] == {"no_task": 1}
    (folder / "civil_affairs.csv").write_text(HEADER + cremation, encoding="utf-8")
    first = await case.compare(_m2())
    second = await case.compare(_m2())
    assert (first["reports"], first["reversals"]) == ({"task_opened": 1}, {})
    assert (second["reports"], second["reversals"]) == ({"already": 1}, {})  # the same report
    office = await case.office(aiohttp_client)
    code, page = await office.get("/v1/verification-tasks", status="open")
    await office.client.close()
    assert code == 200, page
    assert len(page["items"]) == 1  # one death task on C1, the record its feed now stands by
