"""Departments' files as they really come, through ``certhub compare run`` (and the run's summary
over HTTP): a death must reach the right pensioner, and no ID number may leak.

Each case is a roster of three and one or two department files for 2026-10; the expected
outcome is worked out by hand in the test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from hubkit import write_trust_store
from prometheus_client import CollectorRegistry
from questionkit import decision_wanted

from certhub.hub.cli.main import main
from certhub.hub.comparison.catalogue import FEED_COLUMNS
from certhub.hub.comparison.summary import SAMPLE_CHARACTERS
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.schemas.resident_id import check_character, upgrade_legacy_id
from certhub.security import SigningKey, issue_read_token

PERIOD = "2026-10"
HEADER = ",".join(FEED_COLUMNS) + "\n"


def _id(county: str, birth: str, seq: str) -> str:
    first17 = county + birth + seq
    return first17 + check_character(first17)


ALICE = _id("440103", "19500101", "002")  # 陈大文, Guangzhou
BOB = _id("445302", "19401231", "011")  # 黄小明, Yunfu
CAROL = _id("441481", "19600704", "020")  # not on the roster
ROSTER = (
    "id_number,name,county,village\n"
    f"{ALICE},陈大文,440103,440103001001\n{BOB},黄小明,445302,445302002003\n"
)


def _compare(
    tmp: Path, roster: str = ROSTER, **feeds: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``certhub compare run --no-ledger`` over ``roster`` and ``feeds``: summary and proposals."""
    inputs, data = tmp / "in", tmp / "data"
    inputs.mkdir()
    (inputs / "roster.csv").write_text(roster, encoding="utf-8")
    for department, rows in feeds.items():
        (inputs / f"{department}.csv").write_text(HEADER + rows, encoding="utf-8")
    argv = ["compare", "run", "--period", PERIOD, "--input", str(inputs), "--data", str(data)]
    assert main([*argv, "--no-ledger"]) == 0
    runs = data / "comparison-runs"
    summary = json.loads((runs / f"{PERIOD}-all.json").read_text(encoding="utf-8"))
    return summary, _listed(tmp, "proposals.json")


def _tasks(proposals: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return [(p["id_number"], p["task_kind"], str(p["event_date"]), p["status"]) for p in proposals]


def _cremated(
    tmp: Path, number: str, day: str, roster: str = ROSTER
) -> tuple[dict[str, Any], list[tuple[str, str, str, str]]]:
    """Civil affairs' one cremation C1 of ``number`` on ``day`` compared: summary and tasks."""
    line = f"C1,{number},黄小明,,445302,cremation,{day},\n"
    summary, proposals = _compare(tmp, roster, civil_affairs=line)
    return summary, _tasks(proposals)


def _listed(tmp: Path, name: str) -> list[dict[str, Any]]:
    """The objects of the run's newline-delimited JSON output ``name``."""
    path = tmp / "data" / "comparison-runs" / f"{PERIOD}-all" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _certified(tmp: Path) -> list[str]:
    certified = tmp / "data" / "comparison-runs" / f"{PERIOD}-all" / "certifications.parquet"
    query = f"SELECT id_number FROM '{certified}' ORDER BY 1"
    return [row[0] for row in duckdb.connect().execute(query).fetchall()]


async def test_a_full_width_id_number_refused_is_masked_in_the_summary_served(
    tmp_path: Path, aiohttp_client: Callable[..., Any]
) -> None:
    # A clerk typed BOB's number in full width (an IME left in full-width mode) on a line cut
    # short: the line is refused, and its sample in the summary, served to readers, showed
    # the number whole.
    wide = BOB.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    _compare(tmp_path, civil_affairs=f"C1,{wide},黄小明,,445302\n")
    settings = Settings(data_dir=tmp_path / "data")
    keys = {p: SigningKey.generate() for p in ("city", "other-city", "channel", "province")}
    write_trust_store(settings.trust_store_path, keys)
    client = await aiohttp_client(create_app(settings, registry=CollectorRegistry()))
    token = issue_read_token(keys["province"], sender="province")
    response = await client.get(
        f"/v1/comparison-runs/{PERIOD}-all", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200
    body = await response.text()
    refused = json.loads(body)["refused"]["civil_affairs"]["missing-columns"]
    assert refused["count"] == 1
    assert refused["samples"] == ["line 2: C1,４４５３０２**********１５,黄小明,,445302"]
    assert wide not in body
    assert wide[6:14] not in body  # not even the birth date


def test_an_id_number_exported_with_a_tab_before_it_is_matched(tmp_path: Path) -> None:
    # Spreadsheet exports put a tab (or a zero-width space) before an 18-digit number so that
    # it is not shown as 4.45302E+17; the cell is the number. Civil affairs cremated BOB on
    # the 3rd: before, the row was refused invalid-id and no death task was proposed.
    summary, proposals = _compare(
        tmp_path,
        civil_affairs=f'C1,"\t{BOB}",黄小明,,445302,cremation,2026-10-03,\n'
        f'C2,"\u200b{ALICE}\t",陈大文,,440103,death,2026-10-07,\n',
    )
    assert summary["refused"] == {}
    assert _tasks(proposals) == [
        (ALICE, "death", "2026-10-07", "open"),
        (BOB, "death", "2026-10-03", "open"),
    ]


def test_a_void_naming_another_pensioner_does_not_withdraw_the_record(tmp_path: Path) -> None:
    # Civil affairs cremated BOB on the 3rd (C1); its void V1 of C1 names ALICE. The ledger
    # applies a void to the person it names (and a later month's void to the record of that
    # same person): in the same feed it withdrew BOB's cremation, so no death task - the
    # county never asked to check whether BOB is dead. Now C1 stands; the void is listed.
    summary, proposals = _compare(
        tmp_path,
        civil_affairs=f"C1,{BOB},黄小明,,445302,cremation,2026-10-03,\n"
        f"V1,{ALICE},陈大文,,440103,void,2026-10-20,C1\n",
    )
    assert _tasks(proposals) == [(BOB, "death", "2026-10-03", "open")]
    listed = _listed(tmp_path, "reversals.json")
    assert [(r["id_number"], r["voided_record_id"], r["voided_kind"]) for r in listed] == [
        (ALICE, "C1", None)
    ]
    assert summary["reversals"] == 1


def test_a_void_of_the_same_pensioner_still_withdraws_the_record(tmp_path: Path) -> None:
    summary, proposals = _compare(
        tmp_path,
        civil_affairs=f"C1,{BOB},黄小明,,445302,cremation,2026-10-03,\n"
        f"V1,{BOB},黄小明,,445302,void,2026-10-20,C1\n",
    )
    assert proposals == []
    assert summary["reversals"] == 1


def test_an_event_time_with_its_offset_is_dated_in_china_time(tmp_path: Path) -> None:
    # Health sends ALICE's visit as an instant in UTC: 2026-09-30T17:00Z is 01:00 on the 1st
    # of October in Guangdong, so she was seen alive in 2026-10 (before: dated 30 September,
    # outside the period, not certified - overdue, then suspended). Civil affairs' cremation
    # of BOB at 18:30 UTC on the 9th is the 10th (02:30) in Guangdong.
    summary, proposals = _compare(
        tmp_path,
        health=f"M1,{ALICE},陈大文,,440103,medical_visit,2026-09-30T17:00:00Z,\n",
        civil_affairs=f"C1,{BOB},黄小明,,445302,cremation,2026-10-09T18:30:00+00:00,\n",
    )
    assert summary["refused"] == {}
    assert _tasks(proposals) == [(BOB, "death", "2026-10-10", "open")]
    certified = tmp_path / "data" / "comparison-runs" / f"{PERIOD}-all" / "certifications.parquet"
    rows = duckdb.connect().execute(f"SELECT id_number, last_seen FROM '{certified}'").fetchall()
    assert rows == [(ALICE, date(2026, 10, 1))]


def test_an_event_time_without_offset_is_read_as_china_time(tmp_path: Path) -> None:
    summary, _ = _compare(
        tmp_path, health=f"M1,{ALICE},陈大文,,440103,medical_visit,2026-10-31 23:30:00,\n"
    )
    assert summary["certified"] == 1  # 23:30 on the last day: still October


def test_a_refused_record_of_death_keeps_its_pensioner_out_of_the_certifications(
    tmp_path: Path,
) -> None:
    # Civil affairs sent BOB's cremation C1 twice, dated the 3rd and the 4th (both copies
    # refused: conflicting-record-id), and ALICE's death C2 with a date nobody can read;
    # health saw both at a visit on the 2nd. Never acted on (no task) - but before, both
    # were certified alive for the cycle (免办: their families texted that nothing is
    # needed, 12 months paid on). A record of death matched by name only holds the person
    # back until someone has looked; so must one matched on the number and refused.
    summary, proposals = _compare(
        tmp_path,
        civil_affairs=f"C1,{BOB},黄小明,,445302,cremation,2026-10-03,\n"
        f"C1,{BOB},黄小明,,445302,cremation,2026-10-04,\n"
        f"C2,{ALICE},陈大文,,440103,death,2026-10-3O,\n"
        f"C3,{CAROL},买买提·艾力,,441481,death,2026-10-3O,\n",
        health=f"M1,{BOB},黄小明,,445302,medical_visit,2026-10-02,\n"
        f"M2,{ALICE},陈大文,,440103,medical_visit,2026-10-02,\n"
        f"M3,{CAROL},买买提·艾力,,441481,medical_visit,2026-10-02,\n",
    )
    refused = {r: e["count"] for r, e in summary["refused"]["civil_affairs"].items()}
    assert refused == {"conflicting-record-id": 2, "bad-date": 2}
    assert proposals == []
    assert _certified(tmp_path) == []
    assert summary["certified"] == 0
    assert summary["seen_alive_but_direct_evidence"] == 2  # CAROL is not on the roster


def test_a_refused_seen_alive_record_blocks_nobody(tmp_path: Path) -> None:
    _compare(
        tmp_path,
        health=f"M1,{BOB},黄小明,,445302,medical_visit,2026-10-02,\n"
        f"M9,{BOB},黄小明,,445302,medical_visit,2026-10-3O,\n",
    )
    assert _certified(tmp_path) == [BOB]


@decision_wanted(
    "exit-entry's emigration record is grade B and needs a second"
    " department, but no other department sends that kind - a loss of nationality never"
    " opens a task from the comparison, however many months it is sent"
)
def test_an_emigration_record_can_open_a_loss_of_nationality_task(tmp_path: Path) -> None:
    _, proposals = _compare(
        tmp_path, exit_entry=f"E1,{BOB},黄小明,,445302,emigration,2026-10-06,\n"
    )
    assert _tasks(proposals) == [(BOB, "loss_of_nationality", "2026-10-06", "open")]


@decision_wanted(
    "a record of death dated after the period but before the run"
    " (October's file, run in December, a cremation of 2 November) is refused as"
    " future-event-date; if the department does not send it again in November's file the"
    " death is never acted on"
)
def test_a_death_dated_after_the_period_but_before_the_run_is_acted_on(tmp_path: Path) -> None:
    summary, tasks = _cremated(tmp_path, BOB, "2026-11-02")
    assert summary["refused"] == {}
    assert tasks == [(BOB, "death", "2026-11-02", "open")]


@decision_wanted(
    "a pensioner listed twice on the roster (two cities) is refused"
    " in a province-wide run (their cremation matches nobody, purged after 90 days) but kept"
    " in each city by --by-city, while `roster import` keeps the first row on the register"
)
def test_the_death_of_a_pensioner_listed_twice_is_acted_on(tmp_path: Path) -> None:
    twice = ROSTER + f"{BOB},黄小明,440103,440103001001\n"
    summary, tasks = _cremated(tmp_path, BOB, "2026-10-03", twice)
    assert summary["unmatched"] == {}
    assert tasks == [(BOB, "death", "2026-10-03", "open")]


@decision_wanted(
    "a department row with a 15-digit legacy number (upgrade_legacy_id"
    " makes it exactly BOB's 18-digit one) is refused invalid-id and never acted on"
)
def test_a_legacy_15_digit_number_is_matched(tmp_path: Path) -> None:
    legacy = BOB[:6] + BOB[8:17]
    assert upgrade_legacy_id(legacy) == BOB
    assert _cremated(tmp_path, legacy, "2026-10-03")[1] == [(BOB, "death", "2026-10-03", "open")]


@decision_wanted(
    "a void of a pensioner no longer on the month's roster (the"
    " province dropped them after the termination it voids) matches nobody: no reversal, so"
    " no restoration is proposed for a living pensioner - is a terminated pensioner always"
    " on the comparison's roster?"
)
def test_a_void_of_a_pensioner_off_the_roster_is_listed(tmp_path: Path) -> None:
    _compare(
        tmp_path,
        "id_number,name,county,village\n" + f"{ALICE},陈大文,440103,440103001001\n",
        civil_affairs=f"V1,{BOB},黄小明,,445302,void,2026-10-20,C1\n",
    )
    listed = _listed(tmp_path, "reversals.json")
    assert [(r["id_number"], r["voided_record_id"]) for r in listed] == [(BOB, "C1")]


def test_a_void_made_after_the_period_withdraws_its_record(tmp_path: Path) -> None:
    # October's file, drawn on 3 November and compared in December: civil affairs cremated
    # BOB on the 3rd (C1) and withdrew it on 2 November (V1). Before, the void was refused
    # as future-event-date and the withdrawn cremation opened a death task - a county
    # confirming it stops a living pensioner's benefit. A void is a correction, not an
    # event of the period: dated by the run's day, not the period's end.
    summary, proposals = _compare(
        tmp_path,
        civil_affairs=f"C1,{BOB},黄小明,,445302,cremation,2026-10-03,\n"
        f"V1,{BOB},黄小明,,445302,void,2026-11-02,C1\n",
    )
    assert summary["refused"] == {}
    assert proposals == []
    assert summary["reversals"] == 1


def test_a_void_dated_after_the_runs_day_is_still_refused(tmp_path: Path) -> None:
    summary, proposals = _compare(
        tmp_path,
        civil_affairs=f"C1,{BOB},黄小明,,445302,cremation,2026-10-03,\n"
        f"V1,{BOB},黄小明,,445302,void,2099-11-02,C1\n",
    )
    assert summary["refused"]["civil_affairs"]["future-event-date"]["count"] == 1
    assert _tasks(proposals) == [(BOB, "death", "2026-10-03", "open")]


@decision_wanted(
    "a department file of direct evidence refused whole (its header"
    " lacks voids_record_id) is only noted, and the run certifies (免办) the pensioners that"
    " file reports cremated - a failed pull refuses the whole run for that very reason"
)
def test_a_deaths_file_refused_whole_certifies_nobody_it_names(tmp_path: Path) -> None:
    inputs, data = tmp_path / "in", tmp_path / "data"
    inputs.mkdir()
    (inputs / "roster.csv").write_text(ROSTER, encoding="utf-8")
    header = ",".join(FEED_COLUMNS[:-1])  # the department left out a column it never fills
    deaths = f"{header}\nC1,{BOB},黄小明,,445302,cremation,2026-10-03\n"
    (inputs / "civil_affairs.csv").write_text(deaths, encoding="utf-8")
    seen = f"M1,{BOB},黄小明,,445302,medical_visit,2026-10-02,\n"
    (inputs / "health.csv").write_text(HEADER + seen, encoding="utf-8")
    argv = ["compare", "run", "--period", PERIOD, "--input", str(inputs), "--data", str(data)]
    refused_run = main([*argv, "--no-ledger"]) == 2
    assert refused_run or BOB not in _certified(tmp_path)


def test_an_id_number_typed_in_full_width_is_matched(tmp_path: Path) -> None:
    # The same number typed with an input method left in full-width mode (the hub reads a
    # county's enrolment code so too): before, refused invalid-id, BOB's cremation never
    # acted on (review only if the row carried his birth date and county).
    wide = BOB.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    summary, tasks = _cremated(tmp_path, wide, "2026-10-03")
    assert summary["refused"] == {}
    assert tasks == [(BOB, "death", "2026-10-03", "open")]


def test_a_record_of_death_of_an_unknown_spelling_keeps_its_pensioner_out_of_the_certifications(
    tmp_path: Path,
) -> None:
    # Civil affairs wrote the kind as "Cremation" (BOB) and " death" (ALICE): refused as
    # unknown-kind, as the kinds are a code list - but health's visits then certified both
    # alive (免办) while civil affairs reported them dead. Refused, they hold their people
    # back as conflicting copies do.
    summary, proposals = _compare(
        tmp_path,
        civil_affairs=f"C1,{BOB},黄小明,,445302,Cremation,2026-10-03,\n"
        f'C2,{ALICE},陈大文,,440103," death",2026-10-04,\n',
        health=f"M1,{BOB},黄小明,,445302,medical_visit,2026-10-02,\n"
        f"M2,{ALICE},陈大文,,440103,medical_visit,2026-10-02,\n",
    )
    assert summary["refused"]["civil_affairs"]["unknown-kind"]["count"] == 2
    assert proposals == []
    assert _certified(tmp_path) == []


def test_a_huge_field_in_a_refused_row_does_not_swell_the_summary(tmp_path: Path) -> None:
    # A record id of 100,000 characters on a row refused invalid-id: its sample went into
    # the summary whole - read at every metrics scrape and served over HTTP. A sample is
    # now cut to SAMPLE_CHARACTERS (after masking), marked with an ellipsis.
    wrong = BOB[:17] + ("0" if BOB[17] != "0" else "1")
    summary, _ = _compare(
        tmp_path, civil_affairs=f"{'R' * 100_000},{wrong},黄小明,,445302,cremation,2026-10-03,\n"
    )
    (sample,) = summary["refused"]["civil_affairs"]["invalid-id"]["samples"]
    assert sample == "record " + "R" * (SAMPLE_CHARACTERS - 8) + "…"
    assert len(sample) == SAMPLE_CHARACTERS
    assert (tmp_path / "data" / "comparison-runs" / f"{PERIOD}-all.json").stat().st_size < 10_000
