"""The transactional outbox's contract, run against both backends (SQLite and PostgreSQL).

Rows commit with their cause or not at all; a claim leases rows; every state
change is audited once, and guarded so a repeated or concurrent one changes
nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from ledger_backends import Ledger
from ledgerkit import message_series, receipt

from certhub.hub.store import Conflict, RecordKind
from certhub.hub.store.audit_chain import first_broken
from certhub.hub.store.effects import Effects, ItemUpdate, NoticeWrite, OutboxWrite
from certhub.hub.store.outbox import DeadLetterFilter, OutboxState
from certhub.hub.store.outbox_changes import delivered, published

T0 = datetime(2024, 4, 2, 8, 0, tzinfo=UTC)


message = message_series(T0, kind=RecordKind.CERTIFICATION, message_type="certification_event/v1")


async def audit_of(ledger: Any) -> list[Any]:
    return list(await ledger.audit_entries(0, 100_000))


UPLINK = OutboxWrite("up-1", "ministry", "push_certification", b'{"a":1}')


async def test_outbox_rows_commit_with_their_cause_only(ledger: Ledger) -> None:
    notice = NoticeWrite("n1", "P1", "certification_result", "已审核通过")
    first = await ledger.append(message(1), receipt, Effects(outbox=(UPLINK,), notices=(notice,)))
    refused = Effects(
        outbox=(OutboxWrite("up-2", "ministry", "x", b"{}"),),
        item_update=ItemUpdate(99, 0, "approved", None, None),
    )
    with pytest.raises(Conflict):
        await ledger.append(message(2), receipt, refused)
    rows = await ledger.claim_outbox(10, now=2e9, lease=30)
    assert {row.delivery_id for row in rows} == {"up-1", "n1"}
    sms = next(row for row in rows if row.destination == "sms")
    assert json.loads(sms.payload)["text"] == "已审核通过"
    assert sms.correlation_id == str(first.record.sequence)
    assert await ledger.claim_outbox(10, now=2e9, lease=30) == []  # leased
    assert len(await ledger.claim_outbox(10, now=2e9 + 31, lease=30)) == 2  # lease over


async def test_a_released_lease_lets_the_row_be_claimed_again_at_once(ledger: Ledger) -> None:
    await ledger.append(message(1), receipt, Effects(outbox=(UPLINK,)))
    (claimed,) = await ledger.claim_outbox(10, now=2e9, lease=30)
    await ledger.release_leases({"up-1": claimed.next_attempt_at}, 2e9 + 1)
    again = await ledger.claim_outbox(10, now=2e9 + 1, lease=30)
    assert [(row.delivery_id, row.state) for row in again] == [("up-1", OutboxState.PENDING)]


async def test_a_delivery_id_queued_twice_is_one_delivery_the_first_write(ledger: Ledger) -> None:
    writes = tuple(OutboxWrite(f"q{n}", "ministry", "push", b"{}") for n in range(300))
    again = OutboxWrite("q7", "sms", "other", b"{}")
    await ledger.append(message(1), receipt, Effects(outbox=(*writes, again)))
    await ledger.append(
        message(2), receipt, Effects(outbox=(OutboxWrite("q8", "sms", "x", b"{}"),))
    )
    rows = await ledger.claim_outbox(1000, now=2e9, lease=30)
    assert len(rows) == 300
    by_id = {row.delivery_id: row for row in rows}
    assert (by_id["q7"].destination, by_id["q7"].operation) == ("ministry", "push")
    assert (by_id["q8"].destination, by_id["q8"].correlation_id) == ("ministry", "1")


async def test_state_changes_are_audited_once(ledger: Ledger) -> None:
    notice = NoticeWrite("n1", "P1", "certification_result", "text")
    await ledger.append(message(1), receipt, Effects(outbox=(UPLINK,), notices=(notice,)))
    assert (await ledger.outbox_stats()).backlog == 2
    assert await ledger.outbox_apply(published(["up-1", "n1"], 3e9)) == 2
    assert await ledger.outbox_apply(published(["up-1"], 3e9)) == 0
    stats = await ledger.outbox_stats()
    assert (stats.pending, stats.published) == (0, 2)
    assert await ledger.outbox_apply(delivered("n1", "sms", 1.0, "2024-01-01")) == 1
    assert await ledger.outbox_apply(delivered("n1", "sms", 1.0, "2024-01-01")) == 0
    assert await ledger.is_delivered("n1")
    assert await ledger.pending_notices(10) == []
    assert await ledger.retry_delivery("up-1", 1, 5.0, "DepartmentTimeout") == 1
    assert await ledger.dead_letter("up-1", 2, "RequestRejected") == 1
    row = await ledger.get_outbox("up-1")
    assert row is not None
    assert (row.state, row.attempts, row.last_error) == (OutboxState.DEAD, 2, "RequestRejected")
    assert (await ledger.outbox_stats()).dead == 1
    actions = [(e.action, e.subject) for e in await audit_of(ledger)][1:]
    assert actions == [
        ("outbox_published", "up-1"),
        ("outbox_published", "n1"),
        ("notice_sent", "n1"),
        ("delivery_retried", "up-1"),
        ("dead_lettered", "up-1"),
    ]
    assert first_broken(await audit_of(ledger)) is None


async def test_dead_letters_filter_replay_and_purge(ledger: Ledger) -> None:
    writes = tuple(
        OutboxWrite(f"d{n}", "sms" if n % 2 else "ministry", "op", b"{}") for n in range(4)
    )
    await ledger.append(message(1), receipt, Effects(outbox=writes))
    for n in range(4):
        await ledger.dead_letter(f"d{n}", 3, "CircuitOpen" if n < 2 else "RequestRejected")
    everything = await ledger.dead_letters(DeadLetterFilter(), 10)
    assert [row.delivery_id for row in everything] == ["d0", "d1", "d2", "d3"]
    sms = await ledger.dead_letters(DeadLetterFilter(destination="sms"), 10)
    assert [row.delivery_id for row in sms] == ["d1", "d3"]
    circuit = await ledger.dead_letters(DeadLetterFilter(error="CircuitOpen"), 10)
    assert [row.delivery_id for row in circuit] == ["d0", "d1"]
    assert await ledger.dead_letters(DeadLetterFilter(created_before=0.0), 10) == []
    assert await ledger.replay_dead_letters(["d0", "d1"], "ops", 10.0) == 2
    assert await ledger.replay_dead_letters(["d0"], "ops", 10.0) == 0  # not dead any more
    assert {row.delivery_id for row in await ledger.claim_outbox(10, 11.0, 5)} == {"d0", "d1"}
    assert await ledger.purge_dead_letters(["d2", "d0"], "ops") == 1
    assert await ledger.get_outbox("d2") is None
    assert [row.delivery_id for row in await ledger.dead_letters(DeadLetterFilter(), 10)] == ["d3"]
