"""A later month's recorded voids still count after that month is compared again without
the ledger (``--no-ledger``). SQLite and PostgreSQL.

Civil affairs' cremation C1 of the 3rd of M(-2) in the M(-2) feed, voided by V1 in the
M(-1) feed. M(-1) is run and recorded first (``no_task``: nothing cites C1 yet); the
operator then compares M(-1) again with ``--no-ledger`` to look at its output, which
rewrites its summary without the ledger's tally; then M(-2) is run. Before, the M(-2)
run no longer counted M(-1) as recorded, ignored V1 and opened a death task on the
withdrawn C1 (a county confirming it terminates a living pensioner's 238.00 a month),
exactly the out-of-order defect of tests/comparison/test_runs_out_of_order.py. The
ledger did record M(-1)'s run: a comparison without the ledger does not undo that.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from comparisonkit import HEADER, ComparisonCase, roster_csv
from latekit import label

from certhub.hub.cli.main import main


async def test_a_later_month_compared_again_without_the_ledger_still_voids(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    case = ComparisonCase.one_person(tmp_path, 11, ledger_url)
    number = case.person["id_number"]
    for period, row in {
        label(-2): f"C1,{number},某人,,,cremation,{label(-2)}-03,\n",
        label(-1): f"V1,{number},某人,,,void,{label(-1)}-02,C1\n",
    }.items():
        (case.tmp / period).mkdir()
        (case.tmp / period / "roster.csv").write_text(roster_csv(case.people), encoding="utf-8")
        (case.tmp / period / "civil_affairs.csv").write_text(HEADER + row, encoding="utf-8")
    assert (await case.compare(label(-1)))["reversals"] == {"no_task": 1}  # recorded
    argv = ["compare", "run", "--period", label(-1), "--input", str(case.tmp / label(-1)),
            "--data", str(case.settings.data_dir), "--no-ledger"]  # fmt: skip
    if (url := case.settings.database_url) is not None:
        argv += ["--database-url", url.get_secret_value()]
    assert await asyncio.to_thread(main, argv) == 0  # compared only: records nothing
    ledger = await case.compare(label(-2))
    assert (ledger["reports"], ledger["reversals"]) == ({}, {"later_void": 1})
    office = await case.office(aiohttp_client)
    code, page = await office.get("/v1/verification-tasks", status="open")
    await office.client.close()
    assert code == 200, page
    assert page["items"] == []  # C1 was withdrawn by its department: no death task on it
