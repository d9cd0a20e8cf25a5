"""The bulk path records exactly what the one-by-one inbound path records, on both backends.

A small generated run's certifications are recorded twice — one by one
through :class:`InboundIngestor` (in row order), and in bulk — into two
fresh ledgers that share the data folder's keys, with the clock frozen (so
``iat`` and ``received_at`` agree: Ed25519 is deterministic, so the JWS
must be byte-identical). Proposals and voids are left out: their tasks carry
the procedure's own clock, which is not what is compared here.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest
from pgkit import throwaway_database

from certhub.hub.cli import compare_ledger
from certhub.hub.cli.compare_ledger import LedgerTally, record_run
from certhub.hub.comparison import bulk_record, bulk_rows
from certhub.hub.comparison.engine import ComparisonRun, run_comparison
from certhub.hub.comparison.generate import generate
from certhub.hub.core.settings import Settings
from certhub.hub.ingress import pipeline
from certhub.hub.store import StoreUnavailable
from certhub.hub.store.audit_chain import AuditEntry, first_broken
from certhub.hub.store.postgres import bulk_append as pg_bulk
from certhub.hub.store.sqlite import bulk_append as sqlite_bulk
from certhub.security import jws

from .conftest import OPTIONS, PERIOD

# What recording writes, table by table (the hub's relay may send SMS meanwhile: the
# notices' and deliveries' sending state, and the audit links it adds, depend on timing).
SELECTS = {
    "ledger": "SELECT sequence, kind, message_type, sender, message_id, kid, sha256, jws,"
    " payload, received_at, county, reason, period, village, person_id, channel, outcome"
    " FROM ledger ORDER BY sequence",
    "register_people": "SELECT * FROM register_people ORDER BY person_id",
    "register_certifications": "SELECT * FROM register_certifications ORDER BY sequence",
    "notices": "SELECT notice_id, person_id, kind, text, sequence FROM notices ORDER BY notice_id",
    "outbox": "SELECT delivery_id, destination, operation, payload, correlation_id, created_at,"
    " sequence FROM outbox ORDER BY delivery_id",
    "accepted": "SELECT at, action, subject, actor, digest FROM audit"
    " WHERE action = 'message_accepted' ORDER BY seq",
}
CHAIN = "SELECT seq, at, action, subject, actor, digest, prev_hash, hash FROM audit ORDER BY seq"


@pytest.fixture(scope="module")
def certifications_only(tmp_path_factory: pytest.TempPathFactory) -> ComparisonRun:
    """A run over 1,500 generated pensioners, without its proposals and voids."""
    inputs = tmp_path_factory.mktemp("inputs")
    generate(inputs, 1_500, period=PERIOD, seed=7)
    run = run_comparison(inputs, tmp_path_factory.mktemp("runs"), PERIOD, options=OPTIONS)
    for name in ("proposals.json", "reversals.json"):
        (run.folder / name).write_text("", encoding="utf-8")
    assert int(run.summary["certified"]) > 300  # several batches of 128
    return run


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Iterator[list[str | None]]:
    """Two fresh ledgers (None: the data folder's SQLite file)."""
    if request.param == "sqlite":
        yield [None, None]
        return
    with throwaway_database("certhub_bulk") as one, throwaway_database("certhub_bulk") as two:
        yield [one, two]


@pytest.fixture(autouse=True)
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Both paths' clocks (the ledger's ``received_at``, the JWS's ``iat``) stopped, one by
    one in row order and bulk in batches of 128: for every test here."""
    moment = datetime.now(UTC).replace(microsecond=123_456)

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Frozen:
            return cls.fromtimestamp(moment.timestamp(), UTC)

    monkeypatch.setattr(pipeline, "datetime", Frozen)
    monkeypatch.setattr(bulk_record, "datetime", Frozen)
    monkeypatch.setattr(jws, "time", SimpleNamespace(time=moment.timestamp))
    monkeypatch.setattr(compare_ledger, "_CHUNK", 1)  # one by one in row order
    monkeypatch.setattr(compare_ledger, "_BATCH", 128)  # several bulk batches
    return moment


def _record(data: Path, url: str | None, run: ComparisonRun, *, bulk: bool) -> LedgerTally:
    settings = Settings(data_dir=data, database_url=url)
    return asyncio.run(record_run(settings, run, PERIOD, bulk=bulk, sign_workers=0))


def _rows(data: Path, url: str | None, sql: str) -> list[tuple[Any, ...]]:
    if url is None:
        with sqlite3.connect(data / "ledger.sqlite3") as db:
            return [tuple(row) for row in db.execute(sql)]

    async def fetch() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(url)
        try:
            return [tuple(row) for row in await conn.fetch(sql)]
        finally:
            await conn.close()

    return asyncio.run(fetch())


def _state(data: Path, url: str | None) -> dict[str, list[tuple[Any, ...]]]:
    return {name: _rows(data, url, sql) for name, sql in SELECTS.items()}


def _chain_whole(data: Path, url: str | None) -> bool:
    entries = [AuditEntry(*row) for row in _rows(data, url, CHAIN)]
    return bool(entries) and first_broken(entries) is None


def _second_folder(first: Path, second: Path) -> None:
    """A data folder with the first one's keys and trust store, and no ledger."""
    shutil.copytree(first, second, ignore=shutil.ignore_patterns("ledger.sqlite3*"))


def test_bulk_and_one_by_one_record_identical_rows_and_a_rerun_records_nothing(
    certifications_only: ComparisonRun,
    backend: list[str | None],
    tmp_path: Path,
) -> None:
    one, two = tmp_path / "one", tmp_path / "bulk"
    single = _record(one, backend[0], certifications_only, bulk=False)
    _second_folder(one, two)
    bulk = _record(two, backend[1], certifications_only, bulk=True)

    certified = int(certifications_only.summary["certified"])
    assert (single.recorded, single.refused) == (bulk.recorded, bulk.refused)
    assert bulk.recorded + bulk.refused == certified
    assert bulk.recorded > 300
    expected, got = _state(one, backend[0]), _state(two, backend[1])
    for name in SELECTS:
        assert got[name] == expected[name], name
    assert len(got["accepted"]) == bulk.recorded  # a link per record, as one by one
    assert _chain_whole(two, backend[1])
    assert len(got["notices"]) == bulk.recorded  # a 免办 SMS per certification
    receipts = _rows(one, backend[0], "SELECT DISTINCT receipt = '' FROM ledger")
    assert receipts == [(False,)]  # one by one: a receipt each (SQLite says 0 == False)
    assert _rows(two, backend[1], "SELECT DISTINCT receipt FROM ledger") == [("",)]

    again = _record(two, backend[1], certifications_only, bulk=True)
    assert (again.recorded, again.already, again.refused) == (0, bulk.recorded, bulk.refused)
    assert _state(two, backend[1]) == got  # nothing new: no row, no link, no SMS


def test_a_failure_inside_a_batch_stores_nothing_of_that_batch(
    certifications_only: ComparisonRun,
    backend: list[str | None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0

    def failing_second(plan_bulk: Any) -> Any:
        def plan(*args: Any) -> Any:
            nonlocal calls
            calls += 1
            planned = plan_bulk(*args)
            if calls == 2:  # the ledger rows and links are written, then a statement fails
                planned.statements = _Exploding(planned.statements)
            return planned

        return plan

    module = sqlite_bulk if backend[0] is None else pg_bulk
    monkeypatch.setattr(module, "plan_bulk", failing_second(module.plan_bulk))
    data = tmp_path / "data"
    with pytest.raises(StoreUnavailable):
        _record(data, backend[0], certifications_only, bulk=True)
    state = _state(data, backend[0])
    assert len(state["ledger"]) == 128  # the first batch, whole; none of the second
    assert len(state["register_certifications"]) == len(state["notices"]) == 128
    assert len(state["accepted"]) == 128
    assert _chain_whole(data, backend[0])

    calls = 100  # no more failures: the re-run records the rest
    rest = _record(data, backend[0], certifications_only, bulk=True)
    assert rest.already == 128
    assert rest.recorded + rest.already + rest.refused == int(
        certifications_only.summary["certified"]
    )


class _Exploding(dict[str, list[tuple[object, ...]]]):
    """A plan's statements that fail after the first one ran."""

    def items(self) -> Any:
        def each() -> Iterator[tuple[str, list[tuple[object, ...]]]]:
            for number, item in enumerate(super(_Exploding, self).items()):
                if number == 1:
                    raise RuntimeError("power cut")
                yield item

        return each()


def test_batches_sent_the_full_way_record_what_their_rows_record(
    certifications_only: ComparisonRun,
    backend: list[str | None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows written out in the workers that no longer match the full way's: every batch is
    validated, planned and stored the full way, and the ledger is the same."""
    written, full = tmp_path / "rows", tmp_path / "full"
    quick = _record(written, backend[0], certifications_only, bulk=True)
    _second_folder(written, full)
    batches = 0
    full_way = bulk_record.BulkCertifier._full

    async def counted(self: bulk_record.BulkCertifier, *args: Any) -> Any:
        nonlocal batches
        batches += 1
        return await full_way(self, *args)

    rows = bulk_rows.CertificationRows.rows

    def stale(self: bulk_rows.CertificationRows, sequence: int) -> Any:
        ledger, statements = rows(self, sequence)
        return ledger, statements[1:]  # a statement of the planner's effects missed

    monkeypatch.setattr(bulk_record.BulkCertifier, "_full", counted)
    monkeypatch.setattr(bulk_rows.CertificationRows, "rows", stale)
    slow = _record(full, backend[1], certifications_only, bulk=True)
    assert batches == -(-(quick.recorded + quick.refused) // 128)  # every batch of 128
    assert (slow.recorded, slow.refused) == (quick.recorded, quick.refused)
    assert _state(full, backend[1]) == _state(written, backend[0])
    assert _chain_whole(full, backend[1])
