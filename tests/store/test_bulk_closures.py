"""An announced certification's closure read, checked in its write: one by one and in bulk.

A certification planned as announced (no death standing) carries the closure of the
person's benefit its planner read (``Effects.closure_read``; none, as a rule). The county
confirming the death before it commits closes the benefit: the write is refused
(``conflict``, nothing stored) and, planned again, the certification is held. One by one
the write reads ``closed_benefits`` by its key; a bulk reads the closures of its people once
in its transaction and refuses each message that finds another than its plan read - a
message written out beforehand (the comparison's rows) as planned on none. Each case on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from ledgerkit import unsigned_message

from certhub.hub.store import AppendOutcome, Conflict, RecordKind
from certhub.hub.store.bulk_append import BulkMessage, Rows, planned_rows
from certhub.hub.store.effects import ClosureRead, Effects, NoticeWrite
from certhub.hub.store.records import NewMessage

if TYPE_CHECKING:  # the fixture's class; conftest modules are not importable by name
    from conftest import Backend

# P2 and P6 died (tasks T2, T6: confirmed after the certifications were planned); P4's
# benefit was closed for another reason (task T4) before they were, and their plans read it
CLOSED = (
    "INSERT INTO closed_benefits VALUES ('P2', 'death', 'T2', 1)",
    "INSERT INTO closed_benefits VALUES ('P4', 'other', 'T4', 1)",
    "INSERT INTO closed_benefits VALUES ('P6', 'death', 'T6', 1)",
)


async def _closed(ledger_factory: Backend) -> Any:
    """A ledger whose only rows are :data:`CLOSED` (their closing records not the point)."""
    ledger = await ledger_factory.open()
    unchecked = (
        [] if ledger_factory.name == "sqlite" else ["SET session_replication_role = replica"]
    )
    await ledger_factory.execute(*unchecked, *CLOSED)
    return ledger


def _certification(n: int, read: ClosureRead | None) -> BulkMessage:
    person = f"P{n}"
    message = unsigned_message(
        n, kind=RecordKind.CERTIFICATION, sender="adapter:comparison", person_id=person
    )
    notice = NoticeWrite(f"exempt:{n}", person, "exempt_certified", f"text {n}")
    return BulkMessage(message, Effects(notices=(notice,), closure_read=read))


@dataclass(frozen=True)
class _Written:
    """A certification written out beforehand (a ``Prefilled``): planned on no closure."""

    message: NewMessage
    effects: Effects

    @property
    def sender(self) -> str:
        """The message's sender."""
        return self.message.sender

    @property
    def message_id(self) -> str:
        """The message's id."""
        return self.message.message_id

    @property
    def sha256(self) -> str:
        """The digest of its JWS."""
        return self.message.sha256

    @property
    def person_id(self) -> str | None:
        """Whom it is about."""
        return self.message.person_id

    def rows(self, sequence: int) -> Rows:
        """Its rows at ``sequence``, as the planner's effects give them."""
        return planned_rows(sequence, self.message, self.effects)


@pytest.mark.parametrize(("n", "task"), [(2, None), (4, "T2"), (4, None)])
async def test_one_certification_finding_another_closure_is_refused(
    ledger_factory: Backend, n: int, task: str | None
) -> None:
    # P2 planned on no closure, P4 on T2 or none: each finds another (T2, T4) in the write
    ledger = await _closed(ledger_factory)
    item = _certification(n, ClosureRead(f"P{n}", task))
    with pytest.raises(Conflict) as refused:
        await ledger.append(item.message, lambda _sequence: "", item.effects)
    count = await ledger.count()
    await ledger.aclose()
    assert refused.value.slug == "conflict"
    assert count == 0  # nothing stored


async def test_one_certification_finding_the_closure_it_read_is_stored(
    ledger_factory: Backend,
) -> None:
    ledger = await _closed(ledger_factory)
    stored = []
    for item in (_certification(3, ClosureRead("P3")), _certification(4, ClosureRead("P4", "T4"))):
        stored.append(await ledger.append(item.message, lambda _sequence: "", item.effects))
    await ledger.aclose()
    assert [s.record.sequence for s in stored] == [1, 2]


async def test_a_bulk_refuses_each_certification_finding_another_closure(
    ledger_factory: Backend,
) -> None:
    ledger = await _closed(ledger_factory)
    p6 = _certification(6, None)
    p7 = _certification(7, None)
    outcomes = await ledger.append_many(
        [
            _certification(2, ClosureRead("P2")),  # died meanwhile: refused
            _certification(3, ClosureRead("P3")),  # still none: stored
            _certification(4, ClosureRead("P4", "T4")),  # the closure it read: stored
            _certification(5, None),  # planned on no closure read (a failed attempt): stored
            _Written(p6.message, p6.effects),  # written out on no closure, P6 died: refused
            _Written(p7.message, p7.effects),  # written out, no closure: stored
        ]
    )
    count = await ledger.count()
    await ledger.aclose()
    refused = [isinstance(o, Conflict) and o.slug == "conflict" for o in outcomes]
    assert refused == [True, False, False, False, True, False]
    stored = [o.record.sequence for o in outcomes if isinstance(o, AppendOutcome)]
    assert stored == [1, 2, 3, 4]  # a refused one takes no sequence
    assert count == 4
