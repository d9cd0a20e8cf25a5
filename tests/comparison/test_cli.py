"""``certhub compare generate|run``: certifications recorded once each, through the inbound path."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import duckdb
import pytest

from hub.cli import main
from hub.comparison.certify import message_id
from hub.store import SqliteLedger
from security import MessageVerifier, TrustStore

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
