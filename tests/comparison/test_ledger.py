"""The comparison's results in the ledger: tasks, joins across runs, voids, the 免办 SMS.

Hand-made feeds over three periods, each run by ``certhub compare run``; what
the ledger holds afterwards is read back from it (tasks, notices, audit).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

from comparisonkit import HEADER, ComparisonCase

from certhub.hub.cli.main import main
from certhub.hub.core.settings import Settings
from certhub.hub.store import SqliteLedger
from certhub.mocks.population import Population
from certhub.schemas import VerificationTask
from certhub.schemas.resident_id import check_character


def _id(first17: str) -> str:
    return first17 + check_character(first17)


ALICE = _id("44010319500101002")  # seen alive: 免办
BOB = _id("44530219401231011")  # cremated (grade A), then registration cancelled (grade A)
DAN = _id("44148119380704020")  # a hospital's death report (grade B) alone, later cremated


def _inputs(folder: Path, feeds: dict[str, list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "roster.csv").write_text(
        "id_number,name,county,village\n"
        f"{ALICE},陈大文,440103,440103001001\n{BOB},黄小明,445302,\n{DAN},买买提·艾力,441481,\n",
        encoding="utf-8",
    )
    for department, lines in feeds.items():
        (folder / f"{department}.csv").write_text(HEADER + "".join(lines), encoding="utf-8")
    return folder


def _row(record: str, number: str, kind: str, when: str, voids: str = "") -> str:
    return f"{record},{number},某人,,,{kind},{when},{voids}\n"


def _run(folder: Path, data: Path, period: str) -> dict[str, Any]:
    argv = ["compare", "run", "--period", period, "--input", str(folder), "--data", str(data)]
    assert main(argv) == 0
    path = data / "comparison-runs" / f"{period}-all.json"
    ledger: dict[str, Any] = json.loads(path.read_text())["ledger"]
    return ledger


def _tasks(data: Path, person: str) -> list[VerificationTask]:
    with sqlite3.connect(data / "ledger.sqlite3") as db:
        rows = db.execute("SELECT snapshot FROM tasks WHERE person_id = ?", (person,)).fetchall()
    return [VerificationTask.model_validate_json(r[0]) for r in rows]


def _query(data: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data / "ledger.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_direct_evidence_opens_one_task_per_person_joined_across_runs_and_undone_by_voids(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    september = _inputs(
        tmp_path / "09",
        {
            "civil_affairs": [_row("C1", BOB, "cremation", "2026-09-03")],
            "health": [
                _row("H1", DAN, "death", "2026-09-05"),  # grade B alone: waits
                _row("M1", ALICE, "medical_visit", "2026-09-10"),
            ],
        },
    )
    first = _run(september, data, "2026-09")
    assert first["recorded"] == 1  # Alice
    assert first["reports"] == {"task_opened": 1, "awaiting_second_source": 1}
    (bob,) = _tasks(data, BOB)
    assert (bob.kind, bob.status, len(bob.sources)) == ("death", "open", 1)
    assert _tasks(data, DAN) == []
    records = _query(data, "SELECT count(*) FROM ledger")

    again = _run(september, data, "2026-09")  # a re-run of the period adds nothing
    assert again["reports"] == {"already": 1, "awaiting_second_source": 1}
    assert (again["recorded"], again["already"]) == (0, 1)
    assert _query(data, "SELECT count(*) FROM ledger") == records

    october = _inputs(
        tmp_path / "10",
        {
            "public_security": [_row("P1", BOB, "registration_cancelled", "2026-10-02")],
            "civil_affairs": [_row("C2", DAN, "cremation", "2026-10-04")],
        },
    )
    assert _run(october, data, "2026-10")["reports"] == {"task_joined": 1, "task_opened": 1}
    (bob,) = _tasks(data, BOB)  # joined, not a second task
    assert (bob.status, len(bob.sources)) == ("open", 2)
    assert [t.status for t in _tasks(data, DAN)] == ["open"]

    november = _inputs(
        tmp_path / "11",
        {
            "civil_affairs": [_row("V1", BOB, "void", "2026-11-02", voids="C1")],
            "public_security": [_row("V2", BOB, "void", "2026-11-03", voids="P1")],
        },
    )
    ledger = _run(november, data, "2026-11")
    # C1 withdrawn: P1 (grade A) still stands; P1 withdrawn too: nothing stands, cleared
    assert ledger["reversals"] == {"kept": 1, "cleared": 1}
    (bob,) = _tasks(data, BOB)
    assert bob.status == "cleared"
    assert bob.assignee is not None
    assert bob.assignee.id == "adapter:comparison"
    assert "withdraws public_security:P1" in (bob.remarks or "")
    actions = [a for (a,) in _query(data, "SELECT action FROM audit ORDER BY seq")]
    assert actions.count("task_opened") == 2
    assert actions.count("task_joined") == 1
    assert [a for a in actions if a.startswith("rev")] == ["reversal_kept", "reversal_cleared"]
    assert _run(november, data, "2026-11")["reversals"] == {"already": 2}


def test_the_exempt_sms_is_queued_once_per_person_and_period(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for period, day in (("2026-09", "2026-09-10"), ("2026-10", "2026-10-11")):
        folder = _inputs(tmp_path / period, {"canteen": [_row("K1", ALICE, "canteen_meal", day)]})
        _run(folder, data, period)
        _run(folder, data, period)  # the re-run sends no second SMS
    notices = _query(data, "SELECT notice_id, person_id, kind, text FROM notices ORDER BY 1")
    assert [(n[1], n[2]) for n in notices] == [(ALICE, "exempt_certified")] * 2
    assert notices[0][0] != notices[1][0]
    assert all(n[3].startswith("陈**您好") and "无需本人办理" in n[3] for n in notices)
    assert all(ALICE not in n[3] for n in notices)
    queued = _query(data, "SELECT count(*) FROM outbox")
    assert queued == [(2,)]


def test_grade_b_alone_never_reaches_the_ledger_and_a_forged_grade_is_refused(
    tmp_path: Path,
) -> None:
    """The hub re-checks the grade from the report's own citation, not from the run's file."""
    folder = _inputs(tmp_path / "in", {"health": [_row("H1", DAN, "death", "2026-09-05")]})
    argv = ["compare", "run", "--period", "2026-09", "--input", str(folder)]
    data = tmp_path / "data"
    assert main([*argv, "--data", str(data), "--no-ledger"]) == 0
    proposals = data / "comparison-runs" / "2026-09-all" / "proposals.json"
    (proposal,) = [json.loads(line) for line in proposals.read_text().splitlines()]
    assert proposal["status"] == "awaiting_second_source"
    proposals.write_text(json.dumps(proposal | {"status": "open"}) + "\n")  # a tampered file

    from certhub.hub.cli.compare_ledger import record_run
    from certhub.hub.comparison.engine import ComparisonRun

    settings = Settings(data_dir=data, metrics_port=None, ministry_pull_seconds=0)
    run = ComparisonRun("2026-09-all", proposals.parent, {"certified": 0})
    tally = asyncio.run(record_run(settings, run, "2026-09"))
    assert tally.reports == {"refused": 1}
    assert _tasks(data, DAN) == []


def _case(tmp: Path, feeds: dict[str, str]) -> ComparisonCase:
    """One person on the roster; ``feeds`` name the person as ``{number}``."""
    person = Population(seed=5).person()
    number = person["id_number"]
    return ComparisonCase.prepare(
        tmp, [person], {p: f.format(number=number) for p, f in feeds.items()}
    )


CREMATED = "C1,{number},某人,,,cremation,2026-09-03,\n"
VOIDED = "V1,{number},某人,,,void,2026-10-02,C1\n"


async def test_a_void_after_a_termination_proposes_a_restoration_and_changes_nothing(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    later = "D2,{number},某人,,,death,2026-11-01,\n"  # the benefit is closed by then
    case = _case(tmp_path, {"2026-09": CREMATED, "2026-10": VOIDED, "2026-11": later})
    number = case.person["id_number"]
    assert (await case.compare("2026-09"))["reports"] == {"task_opened": 1}

    office = await case.office(aiohttp_client)
    await office.roster(case.person, paid_through="2026-11")
    (task,) = _tasks(case.settings.data_dir, number)
    assert (await office.step(task.task_id, "town-1", "in_progress"))[0] == 202
    status, body = await office.step(task.task_id, "county-1", "confirmed", event_date="2026-09-03")
    assert status == 202, body
    await office.client.close()

    ledger = await case.compare("2026-10")
    assert ledger["reversals"] == {"restoration_proposed": 1}
    assert ledger["restoration_proposals"] == [task.task_id]
    (after,) = _tasks(case.settings.data_dir, number)
    assert after.status == "confirmed"  # never undone by the machine: a person decides
    assert (after.remarks or "").startswith("restoration proposed for review")
    proposed = _query(
        case.settings.data_dir,
        "SELECT i.status FROM ledger AS l JOIN items AS i ON i.item_id = l.sequence"
        f" WHERE l.message_id = 'restoration-proposal:{task.task_id}'",
    )  # an item under review: the machine restores nothing by itself
    assert proposed == [("received",)]
    assert "withdraws civil_affairs:C1" in (after.remarks or "")
    outcomes = _query(
        case.settings.data_dir,
        "SELECT message_id FROM ledger WHERE kind = 'outcome' AND message_id LIKE 'task:%'",
    )  # opened, in progress, confirmed, and re-signed with the proposal: the province pulls it
    assert [m for (m,) in outcomes] == [f"task:{task.task_id}:v{n}" for n in range(4)]
    store = await SqliteLedger.open_read_only(case.settings.data_dir / "ledger.sqlite3")
    try:
        assert await store.closed_benefit(number) is not None
    finally:
        await store.aclose()
    actions = [a for (a,) in _query(case.settings.data_dir, "SELECT action FROM audit")]
    assert "reversal_restoration_proposed" in actions
    # a death recorded again after the void is new evidence, not the closed history: the
    # person is not known dead, so it opens a task (which holds the restoration back)
    assert (await case.compare("2026-11"))["reports"] == {"task_opened": 1}
    again = [t for t in _tasks(case.settings.data_dir, number) if t.task_id != task.task_id]
    assert [(t.kind, t.status) for t in again] == [("death", "open")]
    actions = [a for (a,) in _query(case.settings.data_dir, "SELECT action FROM audit")]
    assert "report_linked" not in actions


async def test_a_void_that_leaves_another_record_standing_is_no_proposal_in_the_tally(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    both = CREMATED + "D1,{number},某人,,,death,2026-09-02,\n"  # two records, one task
    case = _case(tmp_path, {"2026-09": both, "2026-10": VOIDED})
    assert (await case.compare("2026-09"))["reports"] == {"task_opened": 1}
    office = await case.office(aiohttp_client)
    await office.roster(case.person, paid_through="2026-11")
    (task,) = _tasks(case.settings.data_dir, case.person["id_number"])
    assert (await office.step(task.task_id, "town-1", "in_progress"))[0] == 202
    status, body = await office.step(task.task_id, "county-1", "confirmed", event_date="2026-09-02")
    assert status == 202, body
    await office.client.close()

    ledger = await case.compare("2026-10")  # C1 withdrawn, D1 stands
    assert ledger["reversals"] == {"no_effect": 1}
    assert ledger["restoration_proposals"] == []
    (after,) = _tasks(case.settings.data_dir, case.person["id_number"])
    assert after.status == "confirmed"
    assert not (after.remarks or "").startswith("restoration proposed")


async def test_a_coordinators_open_task_is_joined_and_outlives_the_departments_void(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    case = _case(tmp_path, {"2026-09": CREMATED, "2026-10": VOIDED})
    number = case.person["id_number"]
    office = await case.office(aiohttp_client)
    report = office.people.eligibility_report() | {
        "reason": "death", "person": case.person, "event_date": "2026-09-01",
        "region": case.person["region"],
    }  # fmt: skip
    item = await office.approved_report(report)
    await office.client.close()

    assert (await case.compare("2026-09"))["reports"] == {"task_joined": 1}
    (task,) = _tasks(case.settings.data_dir, number)  # one task, not a second
    assert task.task_id == f"task-{item}"
    assert task.sources[0] == str(item)
    assert task.sources[1].startswith("cmpr.2026-09.")
    # the department withdraws its record; the coordinator's report still stands
    assert (await case.compare("2026-10"))["reversals"] == {"kept": 1}
    (task,) = _tasks(case.settings.data_dir, number)
    assert task.status == "open"
