"""What only the SQLite ledger does: one process per ledger file, a file to open."""

from __future__ import annotations

from pathlib import Path

import pytest
from ledgerkit import receipt, unsigned_message

from certhub.hub.store import SqliteLedger, StoreUnavailable


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


async def test_the_write_ahead_log_is_checkpointed_off_the_commit_path(tmp_path: Path) -> None:
    ledger = await SqliteLedger.open(tmp_path / "l.db")
    assert ledger._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    for n in range(200):
        await ledger.append(unsigned_message(n, message_type="zero_report/v1", kid="k"), receipt)
    await ledger.aclose()
    wal = tmp_path / "l.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # truncated at close
    reopened = await SqliteLedger.open(tmp_path / "l.db")
    assert await reopened.count() == 200
    await reopened.aclose()
