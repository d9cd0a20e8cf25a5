"""Issue 17: the comparison never certifies (免办) a person the ledger or the run holds back.

Each case is two people seen alive (a health department's medical visit) in October:
Bea, whom nothing holds, is certified; Ann is not, because of

* (a) a death task from September's cremation record, still open;
* (b) the same task confirmed by the county: the hub terminated her benefit;
* (c) an October cremation record whose ID number is invalid and which matches her only
  by name, birth date and county (R-NAME-ONLY: a person reviews it, never the machine);
* (d) a death report's task opened after the run but before it was recorded.

Ann gets no certification record and no "do nothing" SMS; the run's summary counts her
as withheld, not certified, and ``withheld.json`` says why for a person to review.
Through ``certhub compare run`` and the HTTP API, as an office works.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from comparisonkit import ComparisonCase
from pgkit import throwaway_database

from certhub.hub.cli.compare_ledger import record_run
from certhub.hub.cli.main import main
from certhub.hub.comparison.certify import message_id
from certhub.hub.comparison.engine import ComparisonRun
from certhub.hub.comparison.holds import WITHHELD_FILE
from certhub.hub.core.settings import Settings
from certhub.hub.store import open_ledger
from certhub.mocks.population import Population

SEEN = "2026-10"


def _case(tmp: Path, september: str = "", october: str = "") -> ComparisonCase:
    """Ann and Bea; ``september`` and ``october`` civil-affairs rows name Ann as {ann}."""
    population = Population(seed=17)
    ann, bea = population.person(), population.person()
    fill = {"ann": ann["id_number"], "name": ann["name"], "county": ann["region"]["county"]}
    case = ComparisonCase.prepare(
        tmp, [ann, bea], {"2026-09": september.format(**fill), SEEN: october.format(**fill)}
    )
    visits = "".join(
        f"H{n},{p['id_number']},{p['name']},,,medical_visit,{SEEN}-1{n},\n"
        for n, p in enumerate((ann, bea))
    )
    header = (tmp / SEEN / "civil_affairs.csv").read_text().splitlines()[0]
    (tmp / SEEN / "health.csv").write_text(f"{header}\n{visits}", encoding="utf-8")
    return case


CREMATED = "C1,{ann},{name},,,cremation,2026-09-03,\n"


def _query(data: Path, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(f"file:{data / 'ledger.sqlite3'}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _certified(case: ComparisonCase) -> set[str]:
    """The people the comparison certified for October in the ledger."""
    ids = {message_id(SEEN, p["id_number"]): p["id_number"] for p in case.people}
    rows = _query(
        case.settings.data_dir,
        "SELECT message_id FROM ledger WHERE sender = 'adapter:comparison'"
        f" AND message_type = 'certification_event/v1' AND message_id LIKE 'cmp.{SEEN}.%'",
    )
    return {ids[m] for (m,) in rows}


def _texted(case: ComparisonCase) -> set[str]:
    """The people sent the 免办 SMS ("certification complete, do nothing")."""
    rows = _query(
        case.settings.data_dir,
        "SELECT payload FROM outbox WHERE destination = 'sms' AND delivery_id LIKE 'exempt:%'",
    )
    return {json.loads(payload)["person_id"] for (payload,) in rows}


def _withheld(case: ComparisonCase) -> list[dict[str, Any]]:
    folder = case.settings.data_dir / "comparison-runs" / f"{SEEN}-all"
    return [json.loads(line) for line in (folder / WITHHELD_FILE).read_text().splitlines()]


def _summary(case: ComparisonCase) -> dict[str, Any]:
    path = case.settings.data_dir / "comparison-runs" / f"{SEEN}-all.json"
    summary: dict[str, Any] = json.loads(path.read_text())
    return summary


def _only_bea_certified(case: ComparisonCase, ledger: dict[str, Any], why: str) -> None:
    ann, bea = (p["id_number"] for p in case.people)
    assert _certified(case) == {bea}
    assert (ledger["recorded"], ledger["refused"]) == (1, 0)
    (held,) = _withheld(case)
    assert held["id_number"] == ann
    assert held["reason"] == why
    summary = _summary(case)
    assert summary["certified"] == 1  # Bea: Ann is counted as withheld, not certified
    assert summary["withheld"] == {why: 1}
    assert summary["exempt_ratio"] == 0.5
    assert sum(c["certified"] for c in summary["cities"].values()) == 1


async def _withheld_run(
    case: ComparisonCase, aiohttp_client: Any, why: str
) -> tuple[str, dict[str, Any], str]:
    """The run of ``SEEN``, Ann withheld for ``why`` and Bea alone certified and texted:
    the words Ann is withheld with, the run as the province reads it and ``/metrics``."""
    ledger = await case.compare(SEEN)
    _only_bea_certified(case, ledger, why)
    (held,) = _withheld(case)
    assert _texted(case) == {case.people[1]["id_number"]}
    office = await case.office(aiohttp_client)
    status, body = await office.get(f"/v1/comparison-runs/{SEEN}-all")
    assert status == 200, body
    metrics = await (await office.client.get("/metrics")).text()
    await office.client.close()
    return held["why"], body, metrics


async def test_an_open_death_task_from_an_earlier_run_withholds_the_certification(
    tmp_path: Path,
) -> None:
    case = _case(tmp_path, september=CREMATED)
    assert (await case.compare("2026-09"))["reports"] == {"task_opened": 1}
    ledger = await case.compare(SEEN)
    _only_bea_certified(case, ledger, "task_open")
    (held,) = _withheld(case)
    assert held["why"].startswith("death task task-")
    assert held["why"].endswith(" open")
    assert _texted(case) == {case.people[1]["id_number"]}  # Ann's family is not told
    again = await case.compare(SEEN)  # a re-run: still withheld, nothing new
    assert (again["recorded"], again["already"]) == (0, 1)
    assert _certified(case) == {case.people[1]["id_number"]}


async def test_a_confirmed_death_and_a_closed_benefit_withhold_the_certification(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    case = _case(tmp_path, september=CREMATED)
    await case.compare("2026-09")
    office = await case.office(aiohttp_client)
    ann = case.people[0]
    await office.roster(ann, paid_through="2026-09")
    status, page = await office.get("/v1/verification-tasks", status="open")
    assert status == 200, page
    (task,) = page["items"]
    assert (await office.step(task["task_id"], "town-1", "in_progress"))[0] == 202
    status, body = await office.step(
        task["task_id"], "county-1", "confirmed", event_date="2026-09-03"
    )
    assert status == 202, body
    await office.client.close()

    why, body, metrics = await _withheld_run(case, aiohttp_client, "benefit_closed")
    assert why == f"benefit closed: death (task {task['task_id']})"
    assert (body["certified"], body["seen_alive_candidates"]) == (1, 2)
    assert body["withheld"] == {"benefit_closed": 1}
    assert body["ledger"]["withheld"] == {"benefit_closed": 1}
    assert 'certhub_comparison_people{outcome="withheld",scope="all"} 1.0' in metrics
    assert 'certhub_comparison_people{outcome="certified",scope="all"} 1.0' in metrics


async def test_a_name_only_cremation_match_holds_the_certification_for_review(
    tmp_path: Path,
) -> None:
    # Ann's number with its check digit changed: invalid, so matched by name only
    october = "C2,{bad},{name},{born},{county},cremation,2026-10-04,\n"
    population = Population(seed=17)
    ann = population.person()
    number = ann["id_number"]
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    born = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    case = _case(tmp_path, october=october.replace("{bad}", bad).replace("{born}", born))
    ledger = await case.compare(SEEN)
    assert ledger["reports"] == {}  # never acted on: no task
    ann, bea = (p["id_number"] for p in case.people)
    assert _certified(case) == {bea}  # not a candidate at all (R-ALIVE), nothing withheld
    assert (ledger["recorded"], ledger["refused"]) == (1, 0)
    assert _withheld(case) == []
    folder = case.settings.data_dir / "comparison-runs" / f"{SEEN}-all"
    (queued,) = [json.loads(line) for line in (folder / "review.json").read_text().splitlines()]
    assert (queued["candidate_id_number"], queued["kind"]) == (ann, "cremation")
    summary = _summary(case)
    assert (summary["seen_alive_candidates"], summary["certified"]) == (1, 1)
    assert summary["exempt_ratio"] == 0.5
    assert _texted(case) == {bea}


async def test_nothing_held_certifies_both(tmp_path: Path) -> None:
    case = _case(tmp_path)
    ledger = await case.compare(SEEN)
    assert _certified(case) == {p["id_number"] for p in case.people}
    assert ledger["recorded"] == 2
    assert _texted(case) == {p["id_number"] for p in case.people}
    assert _withheld(case) == []
    assert _summary(case)["certified"] == 2


async def _held_not_certified(
    settings: Settings, held: str, certified: str
) -> dict[str, tuple[str, str]]:
    """In the ledger of ``settings``: no comparison certification of ``held`` in SEEN, one of
    ``certified``; the store's holds of the two."""
    store = await open_ledger(settings)
    try:
        assert await store.find("adapter:comparison", message_id(SEEN, held)) is None
        assert await store.find("adapter:comparison", message_id(SEEN, certified)) is not None
        return await store.certification_holds([held, certified])
    finally:
        await store.aclose()


async def test_an_open_death_task_withholds_the_certification_on_postgresql(
    tmp_path: Path,
) -> None:
    case = _case(tmp_path, september=CREMATED)
    ann, bea = (p["id_number"] for p in case.people)
    with throwaway_database("certhub_holds") as url:
        case.on_ledger(url)
        assert (await case.compare("2026-09"))["reports"] == {"task_opened": 1}
        ledger = await case.compare(SEEN)
        assert (ledger["recorded"], ledger["withheld"]) == (1, {"task_open": 1})
        held = await _held_not_certified(case.settings, ann, bea)
    assert list(held) == [ann]
    assert held[ann][0] == "task_open"
    (line,) = _withheld(case)
    assert (line["id_number"], line["reason"]) == (ann, "task_open")


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "one_by_one"])
async def test_a_task_opened_between_the_run_and_its_recording_withholds_it(
    tmp_path: Path, aiohttp_client: Any, bulk: bool
) -> None:
    case = _case(tmp_path)
    argv = ["compare", "run", "--period", SEEN, "--input", str(tmp_path / SEEN),
            "--data", str(case.settings.data_dir), "--no-ledger"]  # fmt: skip
    assert await asyncio.to_thread(main, argv) == 0
    assert _summary(case)["certified"] == 2  # the run saw nothing against Ann
    office = await case.office(aiohttp_client)
    ann = case.people[0]
    report = office.people.eligibility_report() | {
        "reason": "death", "person": ann, "event_date": f"{SEEN}-20", "region": ann["region"],
    }  # fmt: skip
    item = await office.approved_report(report)
    await office.client.close()

    folder = case.settings.data_dir / "comparison-runs" / f"{SEEN}-all"
    run = ComparisonRun(f"{SEEN}-all", folder, _summary(case))
    settings = Settings(data_dir=case.settings.data_dir, metrics_port=None, identity_check="off")
    tally = await record_run(settings, run, SEEN, bulk=bulk)
    assert (tally.recorded, tally.withheld) == (1, {"task_open": 1})
    assert _certified(case) == {case.people[1]["id_number"]}
    (held,) = _withheld(case)
    assert held["why"] == f"death task task-{item} open"
    assert _summary(case)["certified"] == 1


async def test_a_death_report_under_review_withholds_the_certification(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    # (e) a death report filed before the run, neither accepted nor approved: no task yet
    case = _case(tmp_path)
    office = await case.office(aiohttp_client)
    ann = case.people[0]
    report = office.people.eligibility_report() | {
        "reason": "death", "person": ann, "event_date": f"{SEEN}-20", "region": ann["region"],
    }  # fmt: skip
    status, receipt = await office.post("/v1/reports", "city", report)
    assert status == 202, receipt
    await office.client.close()

    why, body, metrics = await _withheld_run(case, aiohttp_client, "report_under_review")
    assert why == f"death report {receipt['sequence']} received, under review"
    assert body["ledger"]["withheld"] == {"report_under_review": 1}
    assert 'certhub_comparison_people{outcome="withheld",scope="all"} 1.0' in metrics
