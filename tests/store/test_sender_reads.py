"""A sender's own records, newest first, and the tasks of people: SQLite and PostgreSQL alike."""

from __future__ import annotations

from ledger_backends import Ledger
from ledgerkit import receipt, unsigned_message

from certhub.hub.store import RecordKind
from certhub.hub.store.effects import Effects, ItemOpen, TaskWrite

NEWEST = 2**62


def task(task_id: str, person: str, status: str = "open") -> TaskWrite:
    return TaskWrite(task_id, person, "death", status, "440103", None, task_id.encode(), None)


async def test_a_sender_reads_its_own_records_newest_first(ledger: Ledger) -> None:
    senders = ["coord-a", "coord-b", "coord-a", "coord-a", "coord-b"]
    for n, sender in enumerate(senders, start=1):
        effects = Effects(item=ItemOpen("report")) if n != 3 else Effects()
        await ledger.append(unsigned_message(n, sender=sender), receipt, effects)
    await ledger.append(
        unsigned_message(6, sender="coord-a", kind=RecordKind.CERTIFICATION), receipt
    )

    page = await ledger.sender_page("coord-a", RecordKind.REPORT, NEWEST, 10)
    assert [(r.message_id, r.status) for r in page] == [
        ("m4", "received"),
        ("m3", None),  # no item: nothing under review (a zero report)
        ("m1", "received"),
    ]
    assert [r.sequence for r in page] == [4, 3, 1]
    assert page[0].receipt == receipt(4)
    older = await ledger.sender_page("coord-a", RecordKind.REPORT, 4, 1)
    assert [r.message_id for r in older] == ["m3"]
    assert await ledger.sender_page("coord-a", RecordKind.REPORT, 1, 10) == []
    assert await ledger.sender_page("nobody", RecordKind.REPORT, NEWEST, 10) == []


async def test_the_tasks_of_some_people_whatever_their_state(ledger: Ledger) -> None:
    effects = Effects(tasks=(task("t1", "P1", "confirmed"), task("t2", "P2"), task("t3", "P3")))
    await ledger.append(unsigned_message(1), receipt, effects)

    found = await ledger.tasks_of(["P1", "P3", "P9"])
    assert sorted((t.task_id, t.snapshot) for t in found) == [("t1", b"t1"), ("t3", b"t3")]
    assert await ledger.tasks_of([]) == []
