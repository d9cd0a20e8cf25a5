"""``append_many``: one transaction for many messages, on every backend.

What a bulk stores equals what appending the same messages one by one
stores (rows, notices, audit chain); duplicates and replays are answered
per message; a bulk that cannot be stored in bulk stores nothing.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ledgerkit import unsigned_message

from certhub.hub.store import AppendOutcome, Conflict, RecordKind, ReplayConflict, StoreUnavailable
from certhub.hub.store.bulk_append import BulkMessage
from certhub.hub.store.effects import Effects, NoticeWrite, TaskWrite, Unrecorded
from certhub.hub.store.outbox import notice_delivery

if TYPE_CHECKING:  # the fixture's class; conftest modules are not importable by name
    from conftest import Backend

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _bulk(n: int, *, person: str | None = None, body: bytes | None = None) -> BulkMessage:
    person = person or f"P{n}"
    message = unsigned_message(
        n,
        jws=body,
        received_at=T0 + timedelta(seconds=n),
        kind=RecordKind.CERTIFICATION,
        sender="adapter:comparison",
        person_id=person,
    )
    notice = NoticeWrite(f"exempt:{n}", person, "exempt_certified", f"text {n}")
    return BulkMessage(message, Effects(notices=(notice,)))


async def _rows(ledger: Any) -> tuple[list[Any], list[Any]]:
    records = list(await ledger.page(RecordKind.CERTIFICATION, 0, 1000))
    audit = [(e.seq, e.action, e.subject, e.hash) for e in await ledger.audit_entries(0, 1000)]
    return records, audit


async def test_a_bulk_stores_what_one_by_one_stores(ledger_factory: Backend) -> None:
    batch = [_bulk(n) for n in range(1, 41)]
    ledger = await ledger_factory.open()
    outcomes = await ledger.append_many(batch)
    bulk_records, bulk_audit = await _rows(ledger)
    await ledger.aclose()
    assert [o.record.sequence for o in outcomes] == list(range(1, 41))
    assert all(o.created for o in outcomes)
    assert [a[1] for a in bulk_audit] == ["message_accepted"] * 40
    assert [a[2] for a in bulk_audit] == [str(n) for n in range(1, 41)]
    await ledger_factory.execute("DELETE FROM audit")
    await ledger_factory.execute("DELETE FROM notices")
    await ledger_factory.execute("DELETE FROM outbox")
    await ledger_factory.execute("DELETE FROM ledger")
    if ledger_factory.name == "sqlite":  # its sequences come from AUTOINCREMENT's counter
        await ledger_factory.execute("DELETE FROM sqlite_sequence")

    ledger = await ledger_factory.open()
    for item in batch:  # no receipt: the comparison's rows carry none either
        await ledger.append(item.message, lambda _sequence: "", item.effects)
    single_records, single_audit = await _rows(ledger)
    await ledger.aclose()
    assert bulk_records == single_records
    assert bulk_audit == single_audit  # the same chain, link for link


async def test_duplicates_and_replays_are_answered_per_message(ledger_factory: Backend) -> None:
    ledger = await ledger_factory.open()
    first = await ledger.append_many([_bulk(1), _bulk(2)])
    again = await ledger.append_many([_bulk(2), _bulk(3), _bulk(3), _bulk(1, body=b"other bytes")])
    count = await ledger.count()
    entries = len(list(await ledger.audit_entries(0, 1000)))
    await ledger.aclose()
    assert [o.created for o in first] == [True, True]
    assert again[0].record == first[1].record
    assert not again[0].created
    assert again[1].created
    assert not again[2].created  # twice in one bulk: its own duplicate
    assert again[2].record == again[1].record
    assert isinstance(again[3], ReplayConflict)
    assert (count, entries) == (3, 3)


@pytest.mark.parametrize("bad", ["conditional effect", "one person twice"])
async def test_a_bulk_that_cannot_go_in_bulk_stores_nothing(
    ledger_factory: Backend, bad: str
) -> None:
    ledger = await ledger_factory.open()
    await ledger.append_many([_bulk(1)])
    if bad == "conditional effect":  # a task update must be checked message by message
        task = TaskWrite("t1", "P3", "death", "open", "440103", None, b"{}", 0)
        third = BulkMessage(_bulk(3).message, Effects(tasks=(task,)))
    else:
        third = _bulk(3, person="P2")
    with pytest.raises(StoreUnavailable):
        await ledger.append_many([_bulk(2), third])
    count = await ledger.count()
    entries = len(list(await ledger.audit_entries(0, 1000)))
    later = await ledger.append_many([_bulk(2)])
    await ledger.aclose()
    assert (count, entries) == (1, 1)  # nothing of the failed bulk, not even its first
    assert later[0].record.sequence == 2  # and no sequence lost


async def test_a_message_planned_on_a_record_absent_is_refused_once_it_is_there(
    ledger_factory: Backend,
) -> None:
    # P2's certification planned while record m1 was absent (the hub's suspension, say): m1
    # stored before the bulk, it is refused (conflict) and takes no sequence; P3's planned on
    # m9 absent, still absent, is stored as any: checked with the records the bulk reads, not
    # by a check of its own (which cannot go in bulk: the whole bulk would fail)
    ledger = await ledger_factory.open()
    await ledger.append_many([_bulk(1)])
    gone, still = Unrecorded("adapter:comparison", "m1"), Unrecorded("adapter:comparison", "m9")
    second, third = _bulk(2), _bulk(3)
    outcomes = await ledger.append_many(
        [
            BulkMessage(second.message, replace(second.effects, absent=(gone,))),
            BulkMessage(third.message, replace(third.effects, absent=(still,))),
        ]
    )
    count = await ledger.count()
    await ledger.aclose()
    assert isinstance(outcomes[0], Conflict)
    assert outcomes[0].slug == "conflict"
    assert isinstance(outcomes[1], AppendOutcome)
    assert outcomes[1].record.sequence == 2
    assert count == 2


@given(st.text(), st.text(), st.text())
def test_a_notice_delivery_is_the_sorted_json_of_its_body(
    person: str, kind: str, text: str
) -> None:
    """Written out directly (one per 免办 certification), it is json.dumps's very bytes."""
    delivery = notice_delivery(NoticeWrite("exempt:1", person, kind, text))
    body = {"person_id": person, "kind": kind, "text": text}
    assert delivery.payload == json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    assert (delivery.delivery_id, delivery.destination, delivery.operation) == (
        "exempt:1",
        "sms",
        "notify",
    )
