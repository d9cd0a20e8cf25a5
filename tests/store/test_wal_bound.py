"""The SQLite write-ahead log stays bounded under sustained writes (issue 16: it grew to 1.9 GB).

Passive checkpoints alone never reset a log that is written to all the
time; the writer empties it between group commits once it passes its bound.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sqlite3
from pathlib import Path

import pytest
from ledgerkit import signed_zero_report

from certhub.hub.store import SqliteLedger
from certhub.hub.store.sqlite.wal import wal_bytes
from certhub.security import SigningKey

KEY = SigningKey.generate()
LIMIT = 256 * 1024


async def write(ledger: SqliteLedger, numbers: range, sizes: list[int], path: Path) -> None:
    """Append ``numbers`` 50 at a time (50 per group commit), noting the log's size after each."""
    for start in range(numbers.start, numbers.stop, 50):
        batch = [signed_zero_report(n, KEY) for n in range(start, start + 50)]
        await asyncio.gather(*(ledger.append(m, lambda s: f"r{s}") for m in batch))
        sizes.append(wal_bytes(path))


async def test_sustained_writes_keep_the_log_near_its_bound(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    ledger = await SqliteLedger.open(path, wal_limit_bytes=LIMIT)
    sizes: list[int] = []
    try:
        await write(ledger, range(3000), sizes, path)
        assert ledger._conn.execute("PRAGMA journal_size_limit").fetchone()[0] == LIMIT
        resets = ledger._wal.resets if ledger._wal is not None else 0
    finally:
        await ledger.aclose()
    assert await asyncio.to_thread(_count, path) == 3000
    # the bound plus a few batches (a reset waits while the background checkpoint runs);
    # without the reset this log reaches 6.5 MB
    batch_bytes = max(b - a for a, b in itertools.pairwise(sizes) if b > a)
    assert max(sizes) <= LIMIT + 4 * batch_bytes
    assert resets >= 3  # ~1 MB of log was written in all
    assert wal_bytes(path) == 0  # emptied at close


async def test_a_reader_holding_a_snapshot_delays_the_reset_without_failing_writes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "ledger.sqlite3"
    ledger = await SqliteLedger.open(path, wal_limit_bytes=LIMIT)
    ledger._conn.execute("PRAGMA busy_timeout=50")  # the reset gives up quickly here
    reader = sqlite3.connect(path, isolation_level=None)
    sizes: list[int] = []
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM ledger").fetchone()  # an old snapshot, held
        with caplog.at_level(logging.WARNING, logger="certhub.hub.store.sqlite.wal"):
            await write(ledger, range(1500), sizes, path)
        held = max(sizes)
        reader.execute("COMMIT")  # let go: the next commits reset the log
        await write(ledger, range(1500, 2000), sizes, path)
    finally:
        reader.close()
        await ledger.aclose()
    assert held > 2 * LIMIT  # it could not be reset under the reader ...
    assert "WAL reset" in caplog.text  # ... which the log says ...
    assert sizes[-1] <= held // 2  # ... and it was once the reader let go
    assert await asyncio.to_thread(_count, path) == 2000


def _count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM ledger").fetchone()[0])
