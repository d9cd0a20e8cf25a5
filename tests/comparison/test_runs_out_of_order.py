"""A month compared after the next one: the next month's void still withdraws the record it
voids. SQLite and PostgreSQL.

Civil affairs sends a cremation of the 3rd of M(-2) (C1) in the M(-2) feed and voids it
(V1) in the M(-1) feed. The operator runs M(-1) first (M(-2)'s run failed, or its feed came
late), then M(-2). The M(-1) run finds no task citing C1 and records nothing (``no_task``).
Before, the M(-2) run then opened a death task on C1 — a record its department had already
withdrawn — and nothing cleared it until someone ran M(-1) again (a county confirming it
meanwhile terminated a living pensioner's 238.00 a month). Its 免办 twin: a visit voided in
the next month's feed certified the pensioner for twelve months when its month was run
after.

The rule (README, Reversals): a void recorded by a run of the period or a later one
withdraws the record whatever order the months are run in — the earlier month's run does
not use it (no task, no certification, no SMS) and lists it among its reversals naming the
later run (``void_run``, ``void_period``; ``ledger.reversals`` ``later_void``), recording
nothing for it. The record sent again in a still later month is that month's own business.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from comparisonkit import HEADER, ComparisonCase, roster_csv
from latekit import label
from procedurekit import today

from certhub.hub.cli.main import main
from certhub.hub.core.keys import STORE
from certhub.hub.rules.months import month_index
from certhub.mocks.population import Population


def _now() -> int:
    return month_index(today())


def _feeds(case: ComparisonCase, rows: dict[str, str]) -> None:
    """Each period's civil-affairs feed (period → rows, no header), the case's roster."""
    for period, row in rows.items():
        folder = case.tmp / period
        folder.mkdir()
        (folder / "roster.csv").write_text(roster_csv(case.people), encoding="utf-8")
        (folder / "civil_affairs.csv").write_text(HEADER + row, encoding="utf-8")


def _cremated_then_voided(case: ComparisonCase) -> None:
    """C1 (cremation of the 3rd of M-2) in the M-2 feed, voided by V1 in the M-1 feed."""
    number = case.person["id_number"]
    _feeds(case, {
        label(-2): f"C1,{number},某人,,,cremation,{label(-2)}-03,\n",
        label(-1): f"V1,{number},某人,,,void,{label(-1)}-02,C1\n",
    })  # fmt: skip


def _reversals(case: ComparisonCase, run_id: str) -> list[dict[str, Any]]:
    path = case.settings.data_dir / "comparison-runs" / run_id / "reversals.json"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def _tasks(case: ComparisonCase, aiohttp_client: Any, status: str) -> tuple[Any, int]:
    """The tasks of ``status`` and how many records the ledger holds."""
    office = await case.office(aiohttp_client)
    code, page = await office.get("/v1/verification-tasks", status=status)
    records = await office.client.app[STORE].count()
    await office.client.close()
    assert code == 200, page
    return page["items"], records


async def test_a_void_run_before_its_record_still_withdraws_it(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    case = ComparisonCase.one_person(tmp_path, 11, ledger_url)
    _cremated_then_voided(case)
    assert (await case.compare(label(-1)))["reversals"] == {"no_task": 1}
    _, records = await _tasks(case, aiohttp_client, "open")
    ledger = await case.compare(label(-2))
    assert (ledger["reports"], ledger["reversals"]) == ({}, {"later_void": 1})
    opened, after = await _tasks(case, aiohttp_client, "open")
    assert opened == []  # C1 was withdrawn by its department: no death task on it
    assert after == records  # nothing recorded for it
    (row,) = _reversals(case, f"{label(-2)}-all")
    assert (row["voided_record_id"], row["voided_kind"], row["void_record_id"]) == (
        "C1", "cremation", "V1"
    )  # fmt: skip
    assert (row["void_period"], row["void_run"]) == (label(-1), f"{label(-1)}-all")
    assert (await case.compare(label(-2)))["reversals"] == {"later_void": 1}  # a re-run: the same
    assert (await _tasks(case, aiohttp_client, "open"))[1] == records


async def test_a_void_run_before_its_visit_still_withdraws_the_exemption(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    """The 免办 twin: health's visit H1 of the 5th of M(-2) voided in the M(-1) feed, M(-1)
    run first, then M(-2): the pensioner (last certified the 15th of M(-16), due M(-4)) was
    certified on the withdrawn visit, due M(+10) — 12 x 238.00 = 2,856.00 paid on a proof
    of life its department withdrew, until M(-1) was run again. Now not certified: due
    M(-4) still, no certification, no SMS."""
    case = ComparisonCase.one_person(tmp_path, 13, ledger_url)
    number = case.person["id_number"]
    office = await case.office(aiohttp_client)
    await office.roster(case.person)
    await office.certified_in_app(case.person, f"{label(-16)}-15T10:00:00+08:00")
    await office.client.close()
    assert (await case.compare_health(label(-1), f"V1,{number},某人,,,void,{label(-1)}-02,H1\n"))[
        "reversals"
    ] == {"no_task": 1}
    ledger = await case.compare_health(
        label(-2), f"H1,{number},某人,,,medical_visit,{label(-2)}-05,\n"
    )
    assert (ledger["recorded"], ledger["reversals"]) == (0, {"later_void": 1})
    office = await case.office(aiohttp_client)
    row = await office.client.app[STORE].register_person(number)
    await office.client.close()
    assert row is not None
    assert row.due_month == _now() - 4  # H1 was withdrawn: still overdue


async def test_in_period_order_the_void_clears_the_task_and_a_rerun_adds_nothing(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    """The normal order as before: M(-2) opens the task on C1, M(-1)'s void clears it; M(-2)
    run again afterwards records nothing (C1 withdrawn: no report; the void recorded by
    M(-1)), M(-1) again finds its void recorded (``already``)."""
    case = ComparisonCase.one_person(tmp_path, 11, ledger_url)
    _cremated_then_voided(case)
    assert (await case.compare(label(-2)))["reports"] == {"task_opened": 1}
    assert (await case.compare(label(-1)))["reversals"] == {"cleared": 1}
    cleared, records = await _tasks(case, aiohttp_client, "cleared")
    assert len(cleared) == 1
    ledger = await case.compare(label(-2))
    assert (ledger["reports"], ledger["reversals"]) == ({}, {"later_void": 1})
    assert (await case.compare(label(-1)))["reversals"] == {"already": 1}
    assert await _tasks(case, aiohttp_client, "cleared") == (cleared, records)
    assert (await _tasks(case, aiohttp_client, "open"))[0] == []


async def test_a_record_sent_again_after_the_void_is_its_own_months_business(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    """C1 (cremation of the 3rd of M(-3)) in the M(-3) feed, voided in M(-2), sent again in
    M(-1) (the person died after all); M(-3) run last: C1 is withdrawn there (M(-2)'s void),
    and the task M(-1)'s run opened on the record sent again stays open, untouched."""
    case = ComparisonCase.one_person(tmp_path, 11, ledger_url)
    number = case.person["id_number"]
    cremation = f"C1,{number},某人,,,cremation,{label(-3)}-03,\n"
    _feeds(
        case,
        {
            label(-3): cremation,
            label(-2): f"V1,{number},某人,,,void,{label(-2)}-02,C1\n",
            label(-1): cremation,
        },
    )
    assert (await case.compare(label(-2)))["reversals"] == {"no_task": 1}
    assert (await case.compare(label(-1)))["reports"] == {"task_opened": 1}
    opened, records = await _tasks(case, aiohttp_client, "open")
    ledger = await case.compare(label(-3))
    assert (ledger["reports"], ledger["reversals"]) == ({}, {"later_void": 1})
    assert await _tasks(case, aiohttp_client, "open") == (opened, records)
    assert len(opened) == 1


async def test_city_partitions_and_whole_runs_read_each_others_voids(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    """A (city 4408): C1 in the M(-2) feed, voided by V1 in M(-1)'s. B (city 4412): C2 in the
    M(-3) feed, voided by V2 in M(-2)'s. M(-1) run for A's city alone (``--city``, as a
    partition), M(-2) for the province, M(-3) for B's city: no task on either record."""
    a, b = Population(seed=11).person(), Population(seed=17).person()
    case = ComparisonCase.prepare(tmp_path, [a, b], {}).on_ledger(ledger_url)
    city_a, city_b = a["region"]["county"][:4], b["region"]["county"][:4]
    assert city_a != city_b
    _feeds(case, {
        label(-3): f"C2,{b['id_number']},某人,,,cremation,{label(-3)}-03,\n",
        label(-2): f"C1,{a['id_number']},某人,,,cremation,{label(-2)}-03,\n"
        f"V2,{b['id_number']},某人,,,void,{label(-2)}-02,C2\n",
        label(-1): f"V1,{a['id_number']},某人,,,void,{label(-1)}-02,C1\n",
    })  # fmt: skip
    for period, city in ((label(-1), city_a), (label(-2), None), (label(-3), city_b)):
        await _run(case, period, city)
    assert (await _tasks(case, aiohttp_client, "open"))[0] == []
    whole = {r["voided_record_id"]: r["void_run"] for r in _reversals(case, f"{label(-2)}-all")}
    assert whole == {"C1": f"{label(-1)}-{city_a}", "C2": None}  # V2 its own feed's
    (row,) = _reversals(case, f"{label(-3)}-{city_b}")
    assert (row["voided_record_id"], row["void_run"]) == ("C2", f"{label(-2)}-all")


async def _run(case: ComparisonCase, period: str, city: str | None) -> None:
    """``certhub compare run`` of ``period``, for ``city`` alone when given."""
    argv = ["compare", "run", "--period", period, "--input", str(case.tmp / period),
            "--data", str(case.settings.data_dir)]  # fmt: skip
    if city is not None:
        argv += ["--city", city]
    if (url := case.settings.database_url) is not None:
        argv += ["--database-url", url.get_secret_value()]
    assert await asyncio.to_thread(main, argv) == 0
