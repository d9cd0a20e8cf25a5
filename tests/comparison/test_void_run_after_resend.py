"""A void run after the month that sent its record again leaves that month's task open.
SQLite and PostgreSQL.

Civil affairs: cremation C1 of the 3rd of M(-3) in the M(-3) feed, voided by V1 (the 2nd of
M(-2)) in the M(-2) feed, sent again in the M(-1) feed (the person died after all). In
period order the M(-1) run's task on the record sent again stays open (README, Reversals:
"A void withdraws the reports that cited the record before it, not a report of the same
record its department sends again afterwards"; test_runs_out_of_order's
test_a_record_sent_again_after_the_void_is_its_own_months_business, M(-2) before M(-1)).
Run M(-1) first, then M(-2): before, the void's clearing step found the M(-1) task resting
on C1 and cleared it ("before it" read as ledger order, the order the months were run, not
the months): no open task, the death never confirmed, the pensioner paid 238.00 a month
after the death their department reported last. Now a void does not step a task resting
on the record only through reports of later months (hub.procedure.voids.cited_later_only).
The rule 84e7631 states (a void withdraws its record whatever order the months are run in)
has this other half: a record sent again after the void stands whatever order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import HEADER, ComparisonCase, roster_csv
from latekit import label


async def test_a_void_run_after_the_record_sent_again_leaves_its_task_open(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    case = ComparisonCase.one_person(tmp_path, 11, ledger_url)
    number = case.person["id_number"]
    cremation = f"C1,{number},某人,,,cremation,{label(-3)}-03,\n"
    rows = {
        label(-3): cremation,
        label(-2): f"V1,{number},某人,,,void,{label(-2)}-02,C1\n",
        label(-1): cremation,
    }
    for period, row in rows.items():
        (case.tmp / period).mkdir()
        (case.tmp / period / "roster.csv").write_text(roster_csv(case.people), encoding="utf-8")
        (case.tmp / period / "civil_affairs.csv").write_text(HEADER + row, encoding="utf-8")
    assert (await case.compare(label(-1)))["reports"] == {"task_opened": 1}  # sent again: a task
    await case.compare(label(-2))  # the void of the record as sent in M(-3)
    office = await case.office(aiohttp_client)
    code, page = await office.get("/v1/verification-tasks", status="open")
    await office.client.close()
    assert code == 200, page
    assert len(page["items"]) == 1  # in period order it stays open; run M(-1) first: cleared
