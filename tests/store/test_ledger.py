"""The ledger store's contract, run against every backend (SQLite and PostgreSQL).

Group commit, idempotency, durability, effects with their preconditions, the
audit chain and its checkpoints, and the read side: both backends must give
the same answers to the same calls.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ledger_backends import Backend, Ledger
from ledgerkit import hub_record, receipt, unsigned_message

from certhub.hub.store import (
    Conflict,
    NewMessage,
    PageQuery,
    RecordKind,
    ReplayConflict,
    StatRow,
    StoreUnavailable,
)
from certhub.hub.store.audit_chain import first_broken
from certhub.hub.store.effects import (
    AuditWrite,
    Effects,
    ItemOpen,
    ItemUpdate,
    NoticeWrite,
    RosterWrite,
    TaskWrite,
    ZeroReportGuard,
)
from certhub.hub.store.overpayment_effects import OverpaymentWrite

T0 = datetime(2024, 4, 2, 8, 0, tzinfo=UTC)
REPORT = "eligibility_report/v1"


def message(
    n: int, *, sender: str = "city", body: bytes | None = None, **fields: Any
) -> NewMessage:
    kind = RecordKind.REPORT if n % 3 else RecordKind.CERTIFICATION
    received_at = T0 + timedelta(seconds=n)
    return unsigned_message(
        n, jws=body, received_at=received_at, kind=kind, sender=sender, **fields
    )


def task(task_id: str, status: str = "open", version: int | None = None) -> TaskWrite:
    return TaskWrite(
        task_id=task_id,
        person_id="P1",
        kind="survival",
        status=status,
        county="440103",
        village="440103001001",
        snapshot=f'{{"id":"{task_id}","status":"{status}"}}'.encode(),
        expected_version=version,
    )


async def audit_of(ledger: Any) -> list[Any]:
    return list(await ledger.audit_entries(0, 100_000))


# -- appending -------------------------------------------------------------


async def test_concurrent_appends_share_commits_and_get_distinct_sequences(
    ledger_factory: Backend,
) -> None:
    batches: list[int] = []
    ledger = await ledger_factory.open(on_commit=batches.append)
    outcomes = await asyncio.gather(*(ledger.append(message(n), receipt) for n in range(500)))
    await ledger.aclose()
    sequences = sorted(outcome.record.sequence for outcome in outcomes)
    assert sequences == list(range(1, 501))
    assert all(o.record.receipt == f"receipt-{o.record.sequence}" for o in outcomes)
    assert sum(batches) == 500
    assert len(batches) < 50  # group commit: many messages per commit


async def test_a_caller_that_goes_away_still_has_its_message_committed(ledger: Ledger) -> None:
    gone = asyncio.ensure_future(ledger.append(message(1), receipt))
    await asyncio.sleep(0)  # queued: it waits for the group commit
    gone.cancel()
    stayed = await ledger.append(message(2), receipt)
    assert gone.cancelled()
    committed = await ledger.find("city", "m1")
    assert committed is not None
    assert [committed.sequence, stayed.record.sequence] == [1, 2]


async def test_same_bytes_again_return_the_original_record(ledger: Ledger) -> None:
    first = await ledger.append(message(1), receipt)
    again = await ledger.append(message(1), lambda seq: "another receipt")
    assert again.created is False
    assert again.record == first.record
    assert await ledger.count() == 1


async def test_same_message_id_other_bytes_is_a_replay(ledger: Ledger) -> None:
    await ledger.append(message(1), receipt)
    with pytest.raises(ReplayConflict):
        await ledger.append(message(1, body=b"other"), receipt)
    assert await ledger.count() == 1


async def test_duplicates_inside_one_batch_are_resolved(ledger: Ledger) -> None:
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
    assert first_broken(await audit_of(ledger)) is None


async def test_a_plain_resend_of_a_message_with_effects_in_the_same_batch(ledger: Ledger) -> None:
    with_item, resent, after = await asyncio.gather(
        ledger.append(message(1), receipt, Effects(item=ItemOpen("report"))),
        ledger.append(message(1), receipt),
        ledger.append(message(2), receipt),
    )
    assert (with_item.created, resent.created, after.created) == (True, False, True)
    assert resent.record.sequence == with_item.record.sequence == 1
    assert after.record.sequence == 2


async def test_records_survive_reopening_and_sequences_continue(ledger_factory: Backend) -> None:
    ledger = await ledger_factory.open()
    await asyncio.gather(*(ledger.append(message(n), receipt) for n in range(10)))
    await ledger.aclose()
    reopened = await ledger_factory.open()
    assert await reopened.count() == 10
    outcome = await reopened.append(message(99), receipt)
    assert outcome.record.sequence == 11
    record = await reopened.find("city", "m3")
    assert record is not None
    assert record.jws == b"token-3"
    assert record.received_at == T0 + timedelta(seconds=3)
    assert first_broken(await audit_of(reopened)) is None
    await reopened.aclose()


async def test_page_filters_by_kind_in_sequence_order(ledger: Ledger) -> None:
    for n in range(12):
        await ledger.append(message(n), receipt)
    reports = await ledger.page(RecordKind.REPORT, 0, 100)
    assert [r.message_id for r in reports] == [f"m{n}" for n in range(12) if n % 3]
    after = await ledger.page(RecordKind.REPORT, reports[2].sequence, 2)
    assert after == reports[3:5]
    assert await ledger.count(RecordKind.CERTIFICATION) == 4
    assert [r.sequence for r in await ledger.page_all(10, 100)] == [11, 12]
    assert await ledger.get_record(12) == (await ledger.page_all(11, 1))[0]
    assert await ledger.get_record(13) is None
    assert await ledger.find("city", "nope") is None


async def test_a_failing_receipt_fails_only_its_own_message(ledger: Ledger) -> None:

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
    assert [r.sequence for r in await ledger.page_all(0, 10)] == [1, 2]


async def test_ping_and_closed_ledger(ledger_factory: Backend) -> None:
    ledger = await ledger_factory.open()
    await ledger.ping()
    await ledger.aclose()
    with pytest.raises(StoreUnavailable):
        await ledger.ping()
    with pytest.raises(StoreUnavailable):
        await ledger.append(message(1), receipt)


async def test_pending_appends_are_committed_on_close(ledger_factory: Backend) -> None:
    ledger = await ledger_factory.open()
    tasks = [asyncio.create_task(ledger.append(message(n), receipt)) for n in range(50)]
    await asyncio.sleep(0)  # let them queue
    await ledger.aclose()
    outcomes = await asyncio.gather(*tasks)
    assert all(outcome.created for outcome in outcomes)
    reopened = await ledger_factory.open()
    assert await reopened.count() == 50
    await reopened.aclose()


async def test_read_only_ledger_reads_beside_the_writer_and_refuses_writes(
    ledger_factory: Backend,
) -> None:
    writer = await ledger_factory.open()
    for n in range(3):
        await writer.append(message(n), receipt)
    reader = await ledger_factory.open_read_only()
    assert await reader.count() == 3
    assert (await reader.find("city", "m1")) == (await writer.find("city", "m1"))
    with pytest.raises(StoreUnavailable):
        await reader.append(message(9), receipt)
    with pytest.raises(StoreUnavailable):
        await reader.record_audit("x", "y", "z", "-")
    await writer.append(message(4), receipt)
    assert await reader.count() == 4  # sees what the writer commits later
    await reader.aclose()
    await writer.aclose()


# -- effects -----------------------------------------------------------------


async def test_item_opens_with_the_record_and_updates_only_at_its_version(ledger: Ledger) -> None:
    opened = await ledger.append(message(1), receipt, Effects(item=ItemOpen("report", True)))
    item_id = opened.record.sequence
    item = await ledger.get_item(item_id)
    assert item is not None
    assert (item.status, item.version, item.municipal, item.accepted_by) == (
        "received",
        0,
        True,
        None,
    )
    update = ItemUpdate(item_id, 0, "accepted", accepted_by="county", decided_by=None)
    await ledger.append(message(2), receipt, Effects(item_update=update))
    with pytest.raises(Conflict) as stale:
        await ledger.append(message(4), receipt, Effects(item_update=update))
    assert stale.value.slug == "conflict"
    item = await ledger.get_item(item_id)
    assert item is not None
    assert (item.status, item.version, item.accepted_by) == ("accepted", 1, "county")
    assert await ledger.find("city", "m4") is None  # nothing of the refused message stored
    [page_item, plain] = await ledger.page(RecordKind.REPORT, 0, 10)
    assert (page_item.status, plain.status) == ("accepted", None)
    assert await ledger.get_item(999) is None
    assert first_broken(await audit_of(ledger)) is None


async def test_a_refused_message_in_a_batch_leaves_the_others_gap_free(ledger: Ledger) -> None:
    missing = ItemUpdate(999, 0, "accepted", accepted_by="x", decided_by=None)
    results = await asyncio.gather(
        ledger.append(message(1), receipt),
        ledger.append(message(2), receipt, Effects(item_update=missing)),
        ledger.append(message(4), receipt, Effects(item=ItemOpen("report"))),
        return_exceptions=True,
    )
    assert isinstance(results[1], Conflict)
    assert [r.sequence for r in await ledger.page_all(0, 10)] == [1, 2]
    assert await ledger.get_item(2) is not None
    entries = await audit_of(ledger)
    assert [e.seq for e in entries] == [1, 2]
    assert first_broken(entries) is None


async def test_tasks_insert_update_and_one_open_task_per_person_and_kind(ledger: Ledger) -> None:
    first = await ledger.append(message(1), receipt, Effects(tasks=(task("t1"),)))
    with pytest.raises(Conflict):
        await ledger.append(message(2), receipt, Effects(tasks=(task("t2"),)))
    stored = await ledger.get_task("t1")
    assert stored is not None
    assert (stored.version, stored.changed_seq) == (0, first.record.sequence)
    moved = await ledger.append(message(4), receipt, Effects(tasks=(task("t1", "in_progress", 0),)))
    with pytest.raises(Conflict):
        await ledger.append(message(5), receipt, Effects(tasks=(task("t1", "closed", 0),)))
    open_task = await ledger.find_open_task("P1", "survival")
    assert open_task is not None
    assert (open_task.task_id, open_task.version) == ("t1", 1)
    assert open_task.changed_seq == moved.record.sequence
    assert b"in_progress" in open_task.snapshot
    for region in ("440103", "4401", "440103001001"):
        listed = await ledger.list_tasks(PageQuery(0, 10, region), status="in_progress")
        assert [t.task_id for t in listed] == ["t1"], region
    assert await ledger.list_tasks(PageQuery(0, 10), status="open") == []
    assert await ledger.list_tasks(PageQuery(0, 10, "4402")) == []
    later = await ledger.list_tasks(PageQuery(moved.record.sequence, 5))
    assert later == []
    await ledger.append(message(7), receipt, Effects(tasks=(task("t1", "closed", 1),)))
    assert await ledger.find_open_task("P1", "survival") is None
    await ledger.append(message(8), receipt, Effects(tasks=(task("t3"),)))  # allowed again
    assert await ledger.get_task("nope") is None


async def test_roster_keeps_the_latest_as_of(ledger: Ledger) -> None:
    for n, as_of in ((1, "2024-03-01"), (2, "2024-01-01"), (4, "2024-05-01"), (5, "2024-04-01")):
        roster = RosterWrite("P1", as_of, f'{{"as_of":"{as_of}"}}'.encode())
        await ledger.append(message(n), receipt, Effects(roster=roster))
    assert await ledger.get_roster("P1") == b'{"as_of":"2024-05-01"}'
    assert await ledger.get_roster("P2") is None


async def test_outcomes_are_appended_with_their_own_sequences(ledger: Ledger) -> None:
    cause = await ledger.append(
        message(1), receipt, Effects(outcomes=(hub_record(1), hub_record(2)))
    )
    after = await ledger.append(message(2), receipt)
    assert (cause.record.sequence, after.record.sequence) == (1, 4)
    outcomes = await ledger.page(RecordKind.OUTCOME, 0, 10)
    assert [(o.sequence, o.message_id, o.receipt) for o in outcomes] == [
        (2, "o1", ""),
        (3, "o2", ""),
    ]
    assert outcomes[0].received_at == cause.record.received_at
    assert await ledger.count(RecordKind.OUTCOME) == 2
    entries = await audit_of(ledger)
    assert [(e.action, e.subject) for e in entries] == [
        ("message_accepted", "1"),
        ("outcome_recorded", "2"),
        ("outcome_recorded", "3"),
        ("message_accepted", "4"),
    ]
    assert first_broken(entries) is None


async def test_notices_are_idempotent_by_id_until_sent(ledger: Ledger) -> None:
    notice = NoticeWrite("n1", "P1", "task_opened", "请于本月内完成认证")
    other = NoticeWrite("n2", "P2", "task_opened", "text")
    await ledger.append(message(1), receipt, Effects(notices=(notice,)))
    await ledger.append(message(2), receipt, Effects(notices=(notice, other)))
    assert await ledger.pending_notices(10) == [
        ("n1", "P1", "task_opened", "请于本月内完成认证"),
        ("n2", "P2", "task_opened", "text"),
    ]
    assert len(await ledger.pending_notices(1)) == 1
    await ledger.mark_notice_sent("n1")
    assert [n[0] for n in await ledger.pending_notices(10)] == ["n2"]
    entries = await audit_of(ledger)
    assert (entries[-1].action, entries[-1].subject) == ("notice_sent", "n1")
    assert first_broken(entries) is None


async def test_zero_report_is_refused_beside_real_reports(ledger: Ledger) -> None:
    village, county = "440103001001", "440103"
    await ledger.append(message(1, county=county, village=village, period="2024-03"), receipt)
    zero = {"message_type": "zero_report/v1", "period": "2024-03"}
    for n, unit in ((2, village), (4, county)):
        with pytest.raises(Conflict) as refused:
            await ledger.append(
                message(n, **zero),
                receipt,
                Effects(zero_report_guard=ZeroReportGuard(unit, "2024-03")),
            )
        assert refused.value.slug == "zero-report-conflict"
    fine = ZeroReportGuard("440104", "2024-03")
    await ledger.append(
        message(5, county="440104", **zero), receipt, Effects(zero_report_guard=fine)
    )
    assert await ledger.count() == 2


async def test_compliance_inputs(ledger: Ledger) -> None:
    await ledger.append(
        message(1, county="440103", village="440103001001", period="2024-03"), receipt
    )
    await ledger.append(message(2, county="440104", period="2024-03"), receipt)
    await ledger.append(message(4, county="440105", period="2024-02"), receipt)
    zero = {"message_type": "zero_report/v1", "period": "2024-03"}
    await ledger.append(message(5, county="440106", **zero), receipt)
    await ledger.append(message(7, county="440106", sender="other", **zero), receipt)
    await ledger.append(message(8, county="440107", village="440107002003", **zero), receipt)
    reported, first_zero = await ledger.compliance_inputs("2024-03")
    assert reported == {"440103", "440103001001", "440104"}
    assert first_zero == {
        "440106": T0 + timedelta(seconds=5),
        "440107002003": T0 + timedelta(seconds=8),
    }


async def test_stats_are_grouped_by_the_database(ledger: Ledger) -> None:
    report = {"period": "2024-03"}
    await ledger.append(message(1, county="440103", reason="death", **report), receipt)
    await ledger.append(message(2, county="440103", reason="death", **report), receipt)
    await ledger.append(message(4, county="440204", reason="moved", **report), receipt)
    await ledger.append(message(5, county="440204", reason="moved", period="2024-02"), receipt)
    cert = {"message_type": "certification_event/v1", "period": "2024-03", "county": "440103"}
    await ledger.append(message(7, reason="face", channel="app", outcome="pass", **cert), receipt)
    await ledger.append(message(8, reason="visit", **cert), receipt)
    overpaid = (
        OverpaymentWrite("t1", "P1", "440103", "2024-03", 2, "1234.50"),
        OverpaymentWrite("t2", "P2", "440204", "2024-03", 1, "100"),
    )
    await ledger.append(message(10), receipt, Effects(tasks=(task("t1"),), overpayments=overpaid))
    with pytest.raises(Conflict):  # one overpayment per task
        await ledger.append(message(11), receipt, Effects(overpayments=overpaid[:1]))

    assert await ledger.stats("2024-03", "county") == [
        StatRow("reports", "440103", 2),
        StatRow("reports", "440204", 1),
        StatRow("certifications", "440103", 2),
        StatRow("tasks", "440103:open", 1),
        StatRow("overpayments", "440103", 1, 123450),
        StatRow("overpayments", "440204", 1, 10000),
    ]
    assert await ledger.stats("2024-03", "city") == [
        StatRow("reports", "440100", 2),
        StatRow("reports", "440200", 1),
        StatRow("certifications", "440100", 2),
        StatRow("tasks", "440100:open", 1),
        StatRow("overpayments", "440100", 1, 123450),
        StatRow("overpayments", "440200", 1, 10000),
    ]
    assert await ledger.stats("2024-03", "method") == [
        StatRow("reports", "death", 2),
        StatRow("reports", "moved", 1),
        StatRow("certifications", "face/app/pass", 1),
        StatRow("certifications", "visit/-/-", 1),
        StatRow("tasks", "open:open", 1),
        StatRow("overpayments", "all", 2, 133450),
    ]
    assert await ledger.stats("2024-03", "reason") == [
        StatRow("reports", "death", 2),
        StatRow("reports", "moved", 1),
        StatRow("certifications", "face", 1),
        StatRow("certifications", "visit", 1),
        StatRow("tasks", "survival:open", 1),
        StatRow("overpayments", "all", 2, 133450),
    ]


# -- the audit chain ----------------------------------------------------------


async def test_audit_chain_links_every_write_and_detects_tampering(
    ledger_factory: Backend,
) -> None:
    ledger = await ledger_factory.open()
    await asyncio.gather(*(ledger.append(message(n), receipt) for n in range(1, 6)))
    await ledger.record_audit("evidence_stored", "ev-1", "county", "ab" * 32)
    extra = (AuditWrite("item_accepted", "1", "county", "-"),)
    await ledger.append(message(6), receipt, Effects(audit=extra))
    entries = await audit_of(ledger)
    assert [e.seq for e in entries] == list(range(1, 9))
    assert {e.action for e in entries} == {"message_accepted", "evidence_stored", "item_accepted"}
    assert first_broken(entries) is None
    assert [e.seq for e in await ledger.audit_entries(6, 2)] == [7, 8]
    await ledger.aclose()

    await ledger_factory.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 3")
    reader = await ledger_factory.open_read_only()
    broken = first_broken(await audit_of(reader))
    assert broken is not None
    assert broken.seq == 3
    await reader.aclose()


async def test_checkpoints_sign_the_head_every_n_entries_and_at_close(
    ledger_factory: Backend,
) -> None:
    def sign(seq: int, head: str) -> str:
        return f"signed:{seq}:{head}"

    ledger = await ledger_factory.open(checkpoint=sign, checkpoint_every=5)
    for n in range(12):
        await ledger.append(message(n), receipt)
    assert [c[0] for c in await ledger.audit_checkpoints()] == [5, 10]
    await ledger.aclose()
    reader = await ledger_factory.open_read_only()
    entries = {e.seq: e.hash for e in await audit_of(reader)}
    checkpoints = await reader.audit_checkpoints()
    assert [c[0] for c in checkpoints] == [5, 10, 12]
    assert all(h == entries[s] and j == sign(s, h) for s, h, j in checkpoints)
    await reader.aclose()
