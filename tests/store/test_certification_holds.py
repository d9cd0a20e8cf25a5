"""On both backends: whom the ledger holds back from the comparison's certification (免办).

Hand-made rows, one person each, and what ``certification_holds`` must say of them:
an open or in-progress task of any kind, a closed benefit (before a confirmed task of
the same person), a confirmed task with no approved resumption after it; not a task
resumed after by an approved restoration (or a resumption that is no item), not a
cleared task, not a person with nothing. Asked about 1,201 people: three queries.
"""

from __future__ import annotations

from ledger_backends import Backend

# (task id, person, kind, status, changed_seq)
TASKS = [
    ("T1", "P1", "death", "open", 5),
    ("T2", "P2", "imprisonment", "in_progress", 5),
    ("T3", "P3", "death", "confirmed", 5),
    ("T4", "P4", "imprisonment", "confirmed", 10),
    ("T5", "P5", "imprisonment", "confirmed", 10),
    ("T6", "P6", "imprisonment", "confirmed", 20),
    ("T7", "P7", "missing", "cleared", 5),
    ("T9", "P9", "missing", "confirmed", 10),
]
# (person, month, source, sequence): the month a restoration resumed payment in
RESUMED = [
    ("P4", "2026-05", "100", 12),  # item 100 approved, after T4's confirmation
    ("P5", "2026-05", "101", 12),  # item 101 only received
    ("P6", "2026-05", "100", 12),  # approved, but before T6 was confirmed
    ("P9", "2026-05", "outcome:7", 12),  # no item: a resumption the hub recorded itself
]
EXPECTED = {
    "P1": ("task_open", "death task T1 open"),
    "P2": ("task_open", "imprisonment task T2 in_progress"),
    "P3": ("benefit_closed", "benefit closed: death (task T3)"),
    "P5": ("task_confirmed", "imprisonment task T5 confirmed"),
    "P6": ("task_confirmed", "imprisonment task T6 confirmed"),
}


async def test_whom_the_ledger_holds_back(ledger_factory: Backend) -> None:
    ledger = await ledger_factory.open()
    blob = "X'00'" if ledger_factory.name == "sqlite" else "'\\x00'::bytea"
    task = "INSERT INTO tasks VALUES ('{}', '{}', '{}', '{}', '445224', NULL, {}, 1, {})"
    rows = [task.format(t, p, k, s, blob, q) for t, p, k, s, q in TASKS]
    resumed = "INSERT INTO benefit_months VALUES ('{}', 'resumed', '{}', '{}', {})"
    rows += [resumed.format(*row) for row in RESUMED]
    rows.append("INSERT INTO closed_benefits VALUES ('P3', 'death', 'T3', 6)")
    item = "INSERT INTO items (item_id, kind, status) VALUES ({}, 'restoration', '{}')"
    items = [item.format(n, s) for n, s in ((100, "approved"), (101, "received"))]
    # the items' ledger records are not the point: their foreign key is left unchecked
    unchecked = "SET session_replication_role = replica"
    await ledger_factory.execute(*([] if ledger_factory.name == "sqlite" else [unchecked]),
                                 *items, *rows)  # fmt: skip
    asked = [f"Q{n}" for n in range(1190)] + [f"P{n}" for n in range(1, 10)] + ["P10", "P11"]
    assert len(asked) == 1201
    held = await ledger.certification_holds(asked)
    assert held == EXPECTED
    assert await ledger.certification_holds([]) == {}
    await ledger.aclose()
