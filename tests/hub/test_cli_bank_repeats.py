"""A bank file listing one certification twice: recorded once, and the summary says so.

The file's lines of one chunk are recorded at once. Before, both copies looked the
serial up, found nothing and were counted "recorded" (2 recorded, 1 in the ledger);
copies signed in different seconds (other bytes under one message id) were refused
as a replay of "other content" though their content was the same.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from bankfiles import bank_file, terminal_record

from certhub import security
from certhub.hub.cli.main import main
from certhub.hub.ingress import inbound
from certhub.hub.store import SqliteLedger

SENDER = "adapter:bank_reconciliation"


def _file(folder: Path, copies: int) -> Path:
    record = terminal_record(11, "S00000001", datetime(2026, 3, 14, 9, 30), outcome="0")
    other = replace(record, serial="S00000002", occurred_at=datetime(2026, 3, 14, 9, 31))
    return bank_file(folder / "recon-102-20260314.dat", [record] * copies + [other])


async def _stored(data: Path) -> int:
    ledger = await SqliteLedger.open_read_only(data / "ledger.sqlite3")
    try:
        return sum([await ledger.find(SENDER, f"recon102.S0000000{n}") is not None for n in (1, 2)])
    finally:
        await ledger.aclose()


def _import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    data = tmp_path / "data"
    status = main(["bank", "import", str(_file(tmp_path, 3)), "--data", str(data)])
    return status, capsys.readouterr().out.splitlines()[-1]


@pytest.mark.parametrize("apart", [False, True], ids=["same-second", "signed-seconds-apart"])
def test_a_line_written_twice_is_recorded_once_and_counted_already_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, apart: bool
) -> None:
    if apart:  # each copy signed in a second of its own: other bytes under one message id
        seconds = itertools.count(int(time.time()) - 100)  # inside the clock skew

        def sign_compact(payload: bytes, **kw: Any) -> bytes:
            return security.sign_compact(payload, **kw, iat=next(seconds))

        monkeypatch.setattr(inbound, "sign_compact", sign_compact)
    status, summary = _import(tmp_path, capsys)
    assert summary.endswith(
        ": 4 lines, 2 recorded, 2 already recorded, 0 already recorded by the terminal, 0 refused"
    )
    assert status == 0
    assert asyncio.run(_stored(tmp_path / "data")) == 2
