"""``certhub compare generate|run``: certifications recorded once each, through the inbound path."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import duckdb
import pytest

from certhub.hub.cli.main import main
from certhub.hub.comparison.certify import message_id
from certhub.hub.store import SqliteLedger
from certhub.security import MessageVerifier, TrustStore

SENDER = "adapter:comparison"


async def _recorded(data: Path, period: str, numbers: list[str]) -> list[dict[str, object]]:
    """Payloads of the people's certifications, re-verified from the ledger with the trust store."""
    ledger = await SqliteLedger.open_read_only(data / "ledger.sqlite3")
    verifier = MessageVerifier(TrustStore.load(data / "trust.jwks.json"))
    try:
        found = []
        for number in numbers:
            record = await ledger.find(SENDER, message_id(period, number))
            if record is not None:
                assert verifier.verify(record.jws).typ == "certification_event/v1"
                found.append(json.loads(record.payload))
        return found
    finally:
        await ledger.aclose()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    assert main(["compare", "generate", "--pensioners", "1500", "--out", str(folder),
                 "--period", "2026-09", "--seed", "9"]) == 0  # fmt: skip
    return folder


def test_a_run_records_each_certification_once_and_a_rerun_nothing(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    argv = ["compare", "run", "--period", "2026-09", "--input", str(small), "--data", str(data)]
    assert main(argv) == 0
    first = capsys.readouterr().out
    summary = json.loads((data / "comparison-runs" / "2026-09-all.json").read_text())
    certified = summary["certified"]
    assert certified > 0
    assert summary["ledger"]["recorded"] == certified
    assert f"{certified} certified" in first
    numbers = [
        r[0]
        for r in duckdb.sql(
            f"SELECT id_number FROM '{data}/comparison-runs/2026-09-all/certifications.parquet'"
        ).fetchall()
    ]
    payloads = asyncio.run(_recorded(data, "2026-09", numbers))
    assert len(payloads) == certified
    assert {p["method"] for p in payloads} == {"data_comparison"}
    assert all(str(p["remarks"]).startswith("R-ALIVE 2026-09") for p in payloads)

    assert main(argv) == 0  # the same period again: nothing new in the ledger
    again = json.loads((data / "comparison-runs" / "2026-09-all.json").read_text())
    assert again["ledger"]["recorded"] == 0
    assert again["ledger"]["already"] == certified
    assert main([*argv, "--city", "4408"]) == 0  # a partition after the whole: nothing new
    city = json.loads((data / "comparison-runs" / "2026-09-4408.json").read_text())
    assert city["ledger"]["recorded"] == 0
    assert city["ledger"]["already"] == city["certified"] > 0


def test_a_roster_without_a_column_is_one_error_line_and_nothing_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "roster.csv").write_text("id_number,name\n", encoding="utf-8")
    data = tmp_path / "data"
    argv = ["compare", "run", "--period", "2026-09", "--input", str(tmp_path), "--data", str(data)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("certhub: error: roster.csv has no column county, village")
    assert not (data / "ledger.sqlite3").exists()


@pytest.mark.parametrize(
    "argv", [["--period", "2026-13"], ["--period", "2026-09", "--city", "4410"]]
)
def test_a_malformed_period_or_city_is_refused(
    small: Path, tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["compare", "run", "--input", str(small), "--data", str(tmp_path), "--no-ledger"]
    assert main([*common, *argv]) == 2
    assert capsys.readouterr().err.startswith("certhub: error: ")


def test_a_certification_the_hub_refuses_is_counted_and_the_exit_status_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from certhub.schemas.resident_id import check_character

    first17 = "44999919500101002"  # a county code that is not (or no longer) current
    number = first17 + check_character(first17)
    (tmp_path / "roster.csv").write_text(
        f"id_number,name,county,village\n{number},陈大文,449999,\n", encoding="utf-8"
    )
    (tmp_path / "health.csv").write_text(
        "record_id,id_number,name,birth_date,county,kind,event_date,voids_record_id\n"
        f"M1,{number},陈大文,,,medical_visit,2026-09-05,\n",
        encoding="utf-8",
    )
    data = tmp_path / "data"
    argv = ["compare", "run", "--period", "2026-09", "--input", str(tmp_path), "--data", str(data)]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert number not in captured.err + captured.out
    summary = json.loads((data / "comparison-runs" / "2026-09-all.json").read_text())
    assert summary["ledger"]["refused"] == 1
    assert summary["ledger"]["recorded"] == 0
