"""The comparison's ledger path on PostgreSQL: tasks opened, a re-run adding nothing, a void."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from pgkit import throwaway_database

from certhub.hub.cli.main import main
from certhub.hub.core.settings import Settings
from certhub.hub.store import open_ledger
from certhub.schemas import VerificationTask

from .test_ledger import ALICE, BOB, DAN, _inputs, _row


def _run(folder: Path, data: Path, url: str, period: str) -> dict[str, Any]:
    argv = ["compare", "run", "--period", period, "--input", str(folder), "--data", str(data),
            "--database-url", url]  # fmt: skip
    assert main(argv) == 0
    ledger: dict[str, Any] = json.loads(
        (data / "comparison-runs" / f"{period}-all.json").read_text()
    )["ledger"]
    return ledger


async def _task(url: str, data: Path, person: str) -> tuple[VerificationTask | None, int]:
    ledger = await open_ledger(Settings(data_dir=data, database_url=url), read_only=True)
    try:
        row = await ledger.find_open_task(person, "death")
        task = VerificationTask.model_validate_json(row.snapshot) if row else None
        return task, await ledger.count()
    finally:
        await ledger.aclose()


def test_the_same_history_on_postgresql(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with throwaway_database("certhub_cmp") as url:
        september = _inputs(
            tmp_path / "09",
            {
                "civil_affairs": [_row("C1", BOB, "cremation", "2026-09-03")],
                "health": [
                    _row("H1", DAN, "death", "2026-09-05"),
                    _row("M1", ALICE, "medical_visit", "2026-09-10"),
                ],
            },
        )
        first = _run(september, data, url, "2026-09")
        assert (first["recorded"], first["reports"]) == (
            1, {"task_opened": 1, "awaiting_second_source": 1}
        )  # fmt: skip
        task, records = asyncio.run(_task(url, data, BOB))
        assert task is not None
        assert task.status == "open"
        again = _run(september, data, url, "2026-09")
        assert again["reports"] == {"already": 1, "awaiting_second_source": 1}
        assert asyncio.run(_task(url, data, BOB))[1] == records

        october = _inputs(
            tmp_path / "10", {"civil_affairs": [_row("V1", BOB, "void", "2026-10-02", "C1")]}
        )
        assert _run(october, data, url, "2026-10")["reversals"] == {"cleared": 1}
        assert asyncio.run(_task(url, data, BOB))[0] is None  # no open task any more
