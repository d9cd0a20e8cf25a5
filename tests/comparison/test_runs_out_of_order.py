"""A month compared after the next one: the next month's void must still withdraw the
record it voids. SQLite and PostgreSQL.

Civil affairs sends a cremation of the 3rd of M(-2) (C1) in the M(-2) feed and voids it
(V1) in the M(-1) feed. The operator runs M(-1) first (M(-2)'s run failed, or its feed came
late), then M(-2). The M(-1) run finds no task citing C1 and records nothing (``no_task``);
the M(-2) run then opens a death task on C1 — a record its department had already withdrawn
— and nothing clears it until someone runs M(-1) again (a county confirming it meanwhile
terminates a living pensioner's 238.00 a month). Its 免办 twin: a visit voided in the next
month's feed certifies the pensioner for twelve months when its month is run after.

Not yet (strict xfail, a decision wanted): the hub reads a department's voids in ledger
order (a record cited after its void is "sent again": the person died after all,
``hub.procedure.voids``), so the fix is a choice between (a) refusing the first run of a
period once a later one is recorded (a missed month then cannot be caught up), (b) applying
the later runs' voids again after it (wrong when the department sent the record again in a
still later month) and (c) ordering voids and reports by period instead of ledger sequence
(a change of the rule README's Reversals states).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from comparisonkit import HEADER, ComparisonCase, roster_csv
from procedurekit import today

from certhub.hub.core.keys import STORE
from certhub.hub.rules.months import month_index, month_label

NOW = month_index(today())


@pytest.mark.xfail(
    strict=True,
    reason="decision wanted: a void in a later period's run, run first, does not reach the "
    "task an earlier period's later run opens on the record it voids",
)
async def test_a_void_run_before_its_record_still_withdraws_it(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    case = ComparisonCase.one_person(tmp_path, 11, ledger_url)
    number = case.person["id_number"]
    m2, m1 = month_label(NOW - 2), month_label(NOW - 1)
    for period, row in (
        (m2, f"C1,{number},某人,,,cremation,{m2}-03,\n"),
        (m1, f"V1,{number},某人,,,void,{m1}-02,C1\n"),
    ):
        folder = tmp_path / period
        folder.mkdir()
        (folder / "roster.csv").write_text(roster_csv(case.people), encoding="utf-8")
        (folder / "civil_affairs.csv").write_text(HEADER + row, encoding="utf-8")
    assert (await case.compare(m1))["reversals"] == {"no_task": 1}
    await case.compare(m2)
    office = await case.office(aiohttp_client)
    status, page = await office.get("/v1/verification-tasks", status="open")
    assert status == 200, page
    await office.client.close()
    assert page["items"] == []  # C1 was withdrawn by its department: no death task on it


@pytest.mark.xfail(
    strict=True,
    reason="decision wanted: a void in a later period's run, run first, does not reach the "
    "免办 certification an earlier period's later run makes on the record it voids",
)
async def test_a_void_run_before_its_visit_still_withdraws_the_exemption(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    """The 免办 twin: health's visit H1 of the 5th of M(-2) voided in the M(-1) feed, M(-1)
    run first, then M(-2): the pensioner (last certified the 15th of M(-16), due M(-4)) is
    certified on the withdrawn visit, due M(+10) — 12 x 238.00 = 2,856.00 paid on a proof
    of life its department withdrew, until M(-1) is run again."""
    case = ComparisonCase.one_person(tmp_path, 13, ledger_url)
    number = case.person["id_number"]
    office = await case.office(aiohttp_client)
    await office.roster(case.person)
    await office.certified_in_app(case.person, f"{month_label(NOW - 16)}-15T10:00:00+08:00")
    await office.client.close()
    m2, m1 = month_label(NOW - 2), month_label(NOW - 1)
    assert (await case.compare_health(m1, f"V1,{number},某人,,,void,{m1}-02,H1\n"))[
        "reversals"
    ] == {"no_task": 1}
    await case.compare_health(m2, f"H1,{number},某人,,,medical_visit,{m2}-05,\n")
    office = await case.office(aiohttp_client)
    row = await office.client.app[STORE].register_person(number)
    await office.client.close()
    assert row is not None
    assert row.due_month == NOW - 4  # H1 was withdrawn: still overdue
