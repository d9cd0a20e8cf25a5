"""Public security's household-registration cancellations pulled from the e-ID service (the
mock department over real SOAP) into a month's comparison: ``certhub compare run --pull``.

The pulled file enters the run as a dropped ``public_security.csv`` does: a cancellation by
death of a pensioner on the roster opens one death task; pulled and run again, nothing more;
an invalid ID number is one refused row, masked; other reasons are counted, never written as
evidence of death. The department down refuses the whole run: nothing written, nothing
recorded. SQLite and PostgreSQL where the ledger is written.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from comparisonkit import ComparisonCase
from latekit import label
from ports import free_port
from procedurekit import month_day

from certhub.hub.cli.main import main
from certhub.hub.comparison.pull import NOTE
from certhub.mocks.eid import EidMock
from certhub.mocks.eid_registry import Cancellation, EidRegistry
from certhub.mocks.faults import FaultConfig, FaultKind
from certhub.mocks.population import Population
from certhub.mocks.server import serve
from certhub.schemas.resident_id import check_character


def _invalid(number: str) -> str:
    """``number`` with a wrong check character (the register's shape, not a valid number)."""
    wrong = next(c for c in "0123456789X" if c != check_character(number[:17]))
    return number[:17] + wrong


def _cancelled(person: dict[str, Any], reason: str, on: date, number: str = "") -> Cancellation:
    county = person["region"]["county"]
    return Cancellation(
        number or person["id_number"], person["name"], reason, on, county, "派出所户籍室"
    )


@pytest.fixture
async def eid(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[EidMock]:
    """The e-ID mock on a free port; the hub's e-ID adapter (three cancellations a page)
    pointed at it by settings, as an operator would."""
    mock = EidMock(EidRegistry(seed=11))
    async with serve(mock) as url:
        _point_at(monkeypatch, url)
        yield mock


def _point_at(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    adapter = {"BASE_URL": url + "/eid/soap", "PAGE_SIZE": "2",
               "POLICY__MAX_ATTEMPTS": "2", "POLICY__BACKOFF_INITIAL": "0",
               "POLICY__ATTEMPT_TIMEOUT": "2", "POLICY__DEADLINE": "5"}  # fmt: skip
    for key, value in adapter.items():
        monkeypatch.setenv(f"CERTHUB_ADAPTERS__EID__{key}", value)


def _argv(case: ComparisonCase) -> list[str]:
    argv = ["compare", "run", "--period", label(-1), "--input", str(case.tmp / label(-1)),
            "--data", str(case.settings.data_dir), "--pull"]  # fmt: skip
    if (url := case.settings.database_url) is not None:
        argv += ["--database-url", url.get_secret_value()]
    return argv


async def _run(case: ComparisonCase) -> dict[str, Any]:
    """``certhub compare run --pull`` of the period (the CLI on a thread, the mock on this loop)."""
    assert await asyncio.to_thread(main, _argv(case)) == 0
    path = case.settings.data_dir / "comparison-runs" / f"{label(-1)}-all.json"
    return json.loads(path.read_text())  # type: ignore[no-any-return]


async def test_a_pulled_cancellation_opens_one_death_task_once(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any, eid: EidMock
) -> None:
    population = Population(seed=61)
    dead, emigrated, alive = population.person(), population.person(), population.person()
    case = ComparisonCase.prepare(tmp_path, [dead, emigrated, alive], {label(-1): ""})
    case.on_ledger(ledger_url)
    bad = _invalid(alive["id_number"])  # the register's number for a pensioner, mistyped
    eid.registry.cancellations = [  # two a page: the death of a pensioner on the third page
        _cancelled(dead, "01", month_day(-2, 20)),  # the month before: not this period's
        _cancelled(alive, "01", month_day(-1, 10), number=bad),
        _cancelled(emigrated, "02", month_day(-1, 10)),
        _cancelled(alive, "01", month_day(0, 1)),  # after the period: the next one's
        _cancelled(population.person(), "01", month_day(-1, 10)),  # not on the roster: unmatched
        _cancelled(dead, "01", month_day(-1, 10)),
    ]

    summary = await _run(case)
    folder = case.tmp / label(-1)
    pulled = json.loads((folder / NOTE).read_text())
    assert (pulled["pages"], pulled["rows"]) == (3, 3)
    assert (pulled["not_death"], pulled["after_period"]) == ({"emigration": 1}, 1)
    assert summary["ledger"]["reports"] == {"task_opened": 1}
    refused = summary["refused"]["public_security"]
    assert list(refused) == ["invalid-id"]
    assert refused["invalid-id"]["count"] == 1
    assert bad not in json.dumps(summary)  # the sample masked
    assert summary["review"] == 0  # never matched by name
    assert summary["unmatched"]["public_security"] == 1

    office = await case.office(aiohttp_client)
    status, page = await office.get("/v1/verification-tasks", status="open")
    assert status == 200, page
    (task,) = page["items"]
    assert task["kind"] == "death"
    assert task["person"]["id_number"] == dead["id_number"]
    await office.client.close()

    first = (folder / "public_security.csv").read_bytes()
    again = await _run(case)  # pulled and run again: the same file, nothing more
    assert (folder / "public_security.csv").read_bytes() == first
    assert again["ledger"]["reports"] == {"already": 1}
    office = await case.office(aiohttp_client)
    status, page = await office.get("/v1/verification-tasks")
    assert status == 200, page
    assert len(page["items"]) == 1
    await office.client.close()


async def test_a_page_that_fails_once_is_retried_and_the_pull_completes(
    tmp_path: Path, eid: EidMock
) -> None:
    population = Population(seed=62)
    people = [population.person() for _ in range(5)]
    case = ComparisonCase.prepare(tmp_path, people, {label(-1): ""})
    eid.registry.cancellations = [_cancelled(p, "01", month_day(-1, 10)) for p in people]
    eid.injector.configure(FaultConfig(script=(FaultKind.none, FaultKind.error)))
    argv = [*_argv(case), "--no-ledger"]
    assert await asyncio.to_thread(main, argv) == 0
    assert json.loads((case.tmp / label(-1) / NOTE).read_text())["rows"] == 5
    assert eid.injector.requests == 4  # three pages, the second asked twice


@pytest.mark.parametrize("down", ["unreachable", "fails_on_the_second_page"])
async def test_the_department_down_refuses_the_run_and_writes_nothing(
    tmp_path: Path, eid: EidMock, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], down: str,
) -> None:  # fmt: skip
    population = Population(seed=63)
    people = [population.person() for _ in range(5)]
    case = ComparisonCase.prepare(tmp_path, people, {label(-1): ""})
    eid.registry.cancellations = [_cancelled(p, "01", month_day(-1, 10)) for p in people]
    if down == "unreachable":
        _point_at(monkeypatch, f"http://127.0.0.1:{free_port()}")
    else:
        eid.injector.configure(FaultConfig(script=(FaultKind.none,) + (FaultKind.error,) * 4))
    assert await asyncio.to_thread(main, _argv(case)) == 2
    error = capsys.readouterr().err
    assert "public security's cancellations (eid) could not be pulled" in error
    assert "the run is refused: nothing compared, nothing recorded" in error
    folder = case.tmp / label(-1)
    assert not (folder / "public_security.csv").exists()
    assert not (folder / NOTE).exists()
    assert not (case.settings.data_dir / "comparison-runs").exists()
    for person in people:
        assert person["id_number"] not in error


def test_a_dropped_public_security_feed_is_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _point_at(monkeypatch, f"http://127.0.0.1:{free_port()}")
    (tmp_path / "public_security.csv").write_text("dropped\n", encoding="utf-8")
    argv = ["compare", "pull", "--period", label(-1), "--input", str(tmp_path)]
    assert main(argv) == 2
    assert "the pull never replaces a dropped feed" in capsys.readouterr().err
    assert (tmp_path / "public_security.csv").read_text() == "dropped\n"
