"""The SQLite ledger: group commit, idempotency, durability, exclusivity."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.store import NewMessage, RecordKind, ReplayConflict, SqliteLedger, StoreUnavailable


def message(n: int, *, sender: str = "city", body: bytes | None = None) -> NewMessage:
    jws = body or f"token-{n}".encode()
    return NewMessage(
        kind=RecordKind.REPORT if n % 3 else RecordKind.CERTIFICATION,
        message_type="eligibility_report/v1",
        sender=sender,
        message_id=f"m{n}",
        kid="kid",
        sha256=hashlib.sha256(jws).hexdigest(),
        jws=jws,
        payload=b"{}",
        received_at=datetime.now(UTC),
    )


def receipt(sequence: int) -> str:
    return f"receipt-{sequence}"


async def test_concurrent_appends_share_commits_and_get_distinct_sequences(tmp_path: Path) -> None:
    batches: list[int] = []
    ledger = await SqliteLedger.open(tmp_path / "l.db", on_commit=batches.append)
    outcomes = await asyncio.gather(*(ledger.append(message(n), receipt) for n in range(500)))
    await ledger.aclose()
    sequences = sorted(outcome.record.sequence for outcome in outcomes)
    assert sequences == list(range(1, 501))
    assert all(o.record.receipt == f"receipt-{o.record.sequence}" for o in outcomes)
    assert sum(batches) == 500
    assert len(batches) < 50  # group commit: many messages per fsync


async def test_same_bytes_again_return_the_original_record(tmp_path: Path) -> None:
    ledger = await SqliteLedger.open(tmp_path / "l.db")
    first = await ledger.append(message(1), receipt)
    again = await ledger.append(message(1), lambda seq: "another receipt")
    assert again.created is False
    assert again.record == first.record
    assert await ledger.count() == 1
    await ledger.aclose()


async def test_same_message_id_other_bytes_is_a_replay(tmp_path: Path) -> None:
    ledger = await SqliteLedger.open(tmp_path / "l.db")
    await ledger.append(message(1), receipt)
    with pytest.raises(ReplayConflict):
        await ledger.append(message(1, body=b"other"), receipt)
    assert await ledger.count() == 1
    await ledger.aclose()


async def test_duplicates_inside_one_batch_are_resolved(tmp_path: Path) -> None:
    ledger = await SqliteLedger.open(tmp_path / "l.db")
    results = await asyncio.gather(
        ledger.append(message(1), receipt),
        ledger.append(message(1), receipt),
        ledger.append(message(1, body=b"x"), receipt),
        return_exceptions=True,
    )
    created = [r for r in results if not isinstance(r, BaseException) and r.created]
    assert len(created) == 1
    assert isinstance(results[2], ReplayConflict)
    assert await ledger.count() == 1
    await ledger.aclose()


async def test_records_survive_reopening_and_sequences_continue(tmp_path: Path) -> None:
    ledger = await SqliteLedger.open(tmp_path / "l.db")
    await asyncio.gather(*(ledger.append(message(n), receipt) for n in range(10)))
    await ledger.aclose()
    reopened = await SqliteLedger.open(tmp_path / "l.db")
    assert await reopened.count() == 10
    outcome = await reopened.append(message(99), receipt)
    assert outcome.record.sequence == 11
    record = await reopened.find("city", "m3")
    assert record is not None
    assert record.jws == b"token-3"
    await reopened.aclose()


async def test_page_filters_by_kind_in_sequence_order(tmp_path: Path) -> None:
    ledger = await SqliteLedger.open(tmp_path / "l.db")
    for n in range(12):
        await ledger.append(message(n), receipt)
    reports = await ledger.page(RecordKind.REPORT, 0, 100)
    assert [r.message_id for r in reports] == [f"m{n}" for n in range(12) if n % 3]
    after = await ledger.page(RecordKind.REPORT, reports[2].sequence, 2)
    assert after == reports[3:5]
    await ledger.aclose()


async def test_a_second_process_cannot_open_the_same_ledger(tmp_path: Path) -> None:
    ledger = await SqliteLedger.open(tmp_path / "l.db")
    with pytest.raises(StoreUnavailable, match="another certhub process"):
        await SqliteLedger.open(tmp_path / "l.db")
    await ledger.aclose()
    reopened = await SqliteLedger.open(tmp_path / "l.db")
    await reopened.aclose()


async def test_a_failing_receipt_fails_only_its_own_message(tmp_path: Path) -> None:
    ledger = await SqliteLedger.open(tmp_path / "l.db")

    def broken(sequence: int) -> str:
        raise RuntimeError("hsm offline")

    results = await asyncio.gather(
        ledger.append(message(1), receipt),
        ledger.append(message(2), broken),
        ledger.append(message(3), receipt),
        return_exceptions=True,
    )
    assert isinstance(results[1], StoreUnavailable)
    assert await ledger.count() == 2
    await ledger.aclose()


async def test_ping_and_closed_ledger(tmp_path: Path) -> None:
    ledger = await SqliteLedger.open(tmp_path / "l.db")
    await ledger.ping()
    await ledger.aclose()
    with pytest.raises(StoreUnavailable):
        await ledger.ping()
    with pytest.raises(StoreUnavailable):
        await ledger.append(message(1), receipt)


async def test_pending_appends_are_committed_on_close(tmp_path: Path) -> None:
    ledger = await SqliteLedger.open(tmp_path / "l.db")
    tasks = [asyncio.create_task(ledger.append(message(n), receipt)) for n in range(50)]
    await asyncio.sleep(0)  # let them queue
    await ledger.aclose()
    outcomes = await asyncio.gather(*tasks)
    assert all(outcome.created for outcome in outcomes)
    reopened = await SqliteLedger.open(tmp_path / "l.db")
    assert await reopened.count() == 50
    await reopened.aclose()
