"""What only the SQLite ledger does: one process per ledger file, a file to open."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.store import SqliteLedger, StoreUnavailable


async def test_a_second_process_cannot_open_the_same_ledger(tmp_path: Path) -> None:
    ledger = await SqliteLedger.open(tmp_path / "l.db")
    with pytest.raises(StoreUnavailable, match="another certhub process"):
        await SqliteLedger.open(tmp_path / "l.db")
    await ledger.aclose()
    reopened = await SqliteLedger.open(tmp_path / "l.db")
    await reopened.aclose()


async def test_read_only_open_needs_an_existing_ledger(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="no ledger"):
        await SqliteLedger.open_read_only(tmp_path / "missing.db")
