"""How many signing workers a large bulk gets, and what a starting worker leaves to the caller.

A run of many certifications prepares them (validation, payload, signature,
rows) in worker processes when the machine has a core to spare; workers start
when the signer is made, and while they start the work runs in the caller's
process instead of waiting for them.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime, tzinfo
from functools import partial
from pathlib import Path

import duckdb
import pytest
from signer_probe import pause, pids

from certhub.hub.cli import compare_ledger
from certhub.hub.cli.compare_ledger import LedgerTally, record_run
from certhub.hub.comparison import bulk_record, bulk_rows, recording
from certhub.hub.comparison.certify import certification_event, message_id
from certhub.hub.comparison.certify import rows as certify_rows
from certhub.hub.comparison.engine import ComparisonRun
from certhub.hub.comparison.signing import PART, BatchSigner, Header
from certhub.hub.core.settings import Settings
from certhub.security import SigningKey, write_private_key

from .conftest import PERIOD
from .test_bulk_ledger import _chain_whole, _second_folder, _state, certifications_only

__all__ = ["certifications_only"]  # the run, a fixture of test_bulk_ledger
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
HEADER = Header("certification_event/v1", "adapter:comparison", int(NOW.timestamp()))
ROW = ("440103192611180019", "冯艳", "440103", "440103010025", "2026-11-02", "[]")  # as read


@pytest.mark.parametrize(("cores", "workers"), [(1, 0), (2, 1), (3, 2), (8, 2)])
def test_workers_by_cores(monkeypatch: pytest.MonkeyPatch, cores: int, workers: int) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)))
    assert recording.sign_workers_here() == workers


async def test_the_work_runs_here_until_the_workers_have_started(tmp_path: Path) -> None:
    key = SigningKey.generate()
    write_private_key(key, tmp_path / "comparison.key")
    signer = BatchSigner(key, tmp_path / "comparison.key", workers=1, preload=bulk_rows.__name__)
    try:
        assert signer.workers == 1
        first = await signer.map(pids, (), [1, 2])
        assert first == [os.getpid()] * 2  # a spawned interpreter takes far longer to start
        deadline = time.monotonic() + 120
        while (there := await signer.map(pids, (), [1, 2]))[0] == os.getpid():
            assert time.monotonic() < deadline, "the worker never took the work"
            await asyncio.sleep(0.05)
        assert there[0] == there[1] != os.getpid()
        rows = [(message_id(PERIOD, ROW[0]), ROW)]
        prepared = await signer.map(bulk_rows.prepare, (PERIOD, HEADER, NOW), rows)
        wrong = ("440103192611180018", *ROW[1:])  # the check character is 9
        rows += [(message_id(PERIOD, wrong[0]), wrong)]
        packed = await signer.map(bulk_rows.prepare_packed, (PERIOD, HEADER, NOW), rows)
    finally:
        signer.close()
    assert isinstance(prepared[0], bulk_rows.CertificationRows)
    assert prepared == bulk_rows.prepare(key, PERIOD, HEADER, NOW, rows[:1])
    # what a worker sends back: plain tuples, made the named ones again by the recorder
    assert [type(p) for p in packed] == [tuple, tuple]
    unpacked = [bulk_rows.unpacked(p) for p in packed]
    assert [type(p) for p in unpacked] == [bulk_rows.Refused, bulk_rows.CertificationRows]
    assert unpacked == bulk_rows.prepare(key, PERIOD, HEADER, NOW, rows)


class _Stopped(datetime):
    """The bulk path's clock, stopped; a plain datetime, which goes to a worker pickled."""

    moment = datetime.now(UTC).replace(microsecond=654_321)

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:
        return datetime.fromtimestamp(cls.moment.timestamp(), UTC)


def test_workers_record_what_one_process_records(
    certifications_only: ComparisonRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prepared in a worker, two batches ahead, the rows are those prepared here."""
    monkeypatch.setattr(bulk_record, "datetime", _Stopped)
    monkeypatch.setattr(compare_ledger, "_BATCH", 128)  # several batches
    # no early start: every batch goes to the worker (else a short run is done before it is up)
    monkeypatch.setattr(recording, "BatchSigner", partial(BatchSigner, preload=None))
    here, there = tmp_path / "here", tmp_path / "workers"

    def record(data: Path, workers: int) -> LedgerTally:
        run = record_run(Settings(data_dir=data), certifications_only, PERIOD, sign_workers=workers)
        return asyncio.run(run)

    alone = record(here, 0)
    _second_folder(here, there)
    spread = record(there, 1)
    assert (spread.recorded, spread.refused) == (alone.recorded, alone.refused)
    assert spread.recorded > 3 * 128
    assert _state(there, None) == _state(here, None)
    assert _chain_whole(there, None)


def test_a_row_read_for_the_bulk_is_the_plain_row_again(tmp_path: Path) -> None:
    """Day and sources read as text (``bulk_rows.SELECT``) give back what DuckDB gives."""
    path = tmp_path / "certifications.parquet"
    duckdb.execute(
        "COPY (SELECT * FROM (VALUES"
        " ('440103192611180019', '冯艳', '440103', '440103010025', DATE '2026-10-09',"
        "  [{'department': 'health', 'record_id': 'A\"7\\\\x', 'kind': 'medical_visit',"
        "    'event_date': DATE '2026-10-09', 'grade': 'B'},"
        "   {'department': 'canteen', 'record_id': '食堂-2', 'kind': 'meal',"
        "    'event_date': DATE '2026-09-30', 'grade': 'C'}]),"
        " ('44010319440202000X', '黄阿依古丽·吐尔逊', '440103', NULL, DATE '2026-10-16', [])"
        ") AS t(id_number, name, county, village, last_seen, sources))"
        f" TO '{path}' (FORMAT parquet)"
    )
    plain = [row for batch in certify_rows(path, 10) for row in batch]
    read = [row for batch in certify_rows(path, 10, bulk_rows.SELECT) for row in batch]
    assert all(isinstance(value, str | None) for row in read for value in row)
    again = [bulk_rows.event_row(row) for row in read]
    assert [row[:5] for row in again] == [row[:5] for row in plain]  # the day a date again
    assert again[0][5][0]["record_id"] == plain[0][5][0]["record_id"] == 'A"7\\\\x'
    # a source's day stays text: only the remarks cite it, and they are the same
    events = [certification_event(PERIOD, row) for row in plain]
    assert [certification_event(PERIOD, row) for row in again] == events
    assert 'health:A"7\\\\x medical_visit 2026-10-09 grade B' in str(events[0].remarks)


async def test_parts_no_worker_has_taken_when_due_are_done_here(tmp_path: Path) -> None:
    key = SigningKey.generate()
    write_private_key(key, tmp_path / "comparison.key")
    signer = BatchSigner(key, tmp_path / "comparison.key", workers=1)
    try:
        # one call for the worker and two in its queue (a worker's queue holds two): a
        # second worker's start, or a slow one; what is submitted now waits behind them
        busy = [signer.submit(pause, (1.0,), [n]) for n in range(3)]
        items = list(range(2 * PART + 1))  # three parts
        queued = signer.submit(pids, (), items)
        assert len(queued.parts) == 3
        assert await queued.result() == [os.getpid()] * len(items)  # none waited for
        assert all(q is not None and q.cancelled() for q in queued.queued)
        assert [len(await b.result()) for b in busy] == [1, 1, 1]
    finally:
        signer.close()
