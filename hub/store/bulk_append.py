"""Many messages in one transaction: the bulk of an inbound adapter the hub signs itself.

The comparison's 免办 certifications arrive by the hundred thousand, each its
own signed message (batch certification stays abolished in the ledger). One
by one, each costs a queue round, a savepoint and half a dozen statements;
here a batch of them is one group-commit job (one transaction), and each
statement runs once for the whole batch:

* :func:`plan_bulk` gives every new message its sequence and "message
  accepted" link, and plans its effects with the very same
  :func:`~certhub.hub.store.writes.plan` the one-by-one path uses; the
  statements of those plans are collected per SQL text, in order;
* the dialect runs them with ``executemany`` (SQLite) or ``unnest``
  (PostgreSQL) — :mod:`certhub.hub.store.sqlite.bulk_append`,
  :mod:`certhub.hub.store.postgres.bulk_append`.

Running "statement *k* for every message" instead of "every statement for
message 1, then message 2" writes the same rows because the messages of one
call are independent: each is about another person (checked) and every
operation of the plan is unconditional (an insert ignoring its duplicate,
an upsert, an audit link — checked; a plan with a precondition, a refusal or
an audited statement must go through ``append``). Audit links are chained in
message order, exactly as one by one, so the chain is the same.

The messages already stored (a re-run) are read inside the transaction and
come back as duplicates (``created=False``), or as a
:class:`~certhub.hub.store.base.ReplayConflict` when the bytes differ; a
message twice in one call is its own duplicate.

The records carry no receipt (the empty string, as the hub's own outcomes):
a receipt is the hub's signed answer to a sender, and the sender here is the
hub itself — nobody receives it; the exact JWS, the audit chain and its
signed checkpoints prove the record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol, runtime_checkable

from certhub.hub.store import ledger_rows, writes
from certhub.hub.store.audit_chain import AuditChain
from certhub.hub.store.base import AppendOutcome, LedgerRecord, ReplayConflict, StoreError
from certhub.hub.store.effects import Effects
from certhub.hub.store.records import NewMessage

__all__ = [
    "BulkAppender",
    "BulkMessage",
    "BulkOutcome",
    "BulkPlan",
    "NotBulk",
    "collect_statement",
    "find_many",
    "ids_by_sender",
    "lookup_sql",
    "plan_bulk",
]

BulkOutcome = AppendOutcome | StoreError
"""What became of one message of a bulk: its record (new or already there), or why not."""

NO_RECEIPT: Final = ""
LOOKUP_CHUNK: Final = 500  # message ids per lookup (SQLite binds at most 32,766 values)


@dataclass(frozen=True, slots=True)
class BulkMessage:
    """One message of a bulk and the effects its plan derived (unconditional ones only)."""

    message: NewMessage
    effects: Effects


class NotBulk(TypeError):
    """A message of the bulk cannot go in bulk (a conditional effect, a person twice)."""


@dataclass(slots=True)
class BulkPlan:
    """What one bulk writes: ledger rows, audit links (in chain order), each statement's rows."""

    outcomes: list[BulkOutcome] = field(default_factory=list)
    ledger: list[tuple[object, ...]] = field(default_factory=list)
    links: list[tuple[object, ...]] = field(default_factory=list)
    statements: dict[str, list[tuple[object, ...]]] = field(default_factory=dict)


@runtime_checkable
class BulkAppender(Protocol):
    """A ledger that can append many messages in one transaction (both dialects' writers)."""

    async def append_many(self, batch: Sequence[BulkMessage]) -> list[BulkOutcome]:
        """Append ``batch`` in one transaction; each message's outcome, in order."""
        ...

    async def find_many(self, sender: str, message_ids: Sequence[str]) -> dict[str, LedgerRecord]:
        """The records ``sender`` stored under any of ``message_ids``, by message id."""
        ...


def plan_bulk(
    batch: Sequence[BulkMessage],
    stored: Mapping[tuple[str, str], LedgerRecord],
    take_sequence: Callable[[], int],
    chain: AuditChain,
) -> BulkPlan:
    """Sequences, links and statements of ``batch``, given the records already ``stored``.

    Raises:
        NotBulk: a plan has an operation that can refuse or must be counted, or two
            new messages are about the same person; nothing was taken then that the
            caller's rollback does not give back.
    """
    plan = BulkPlan()
    known = dict(stored)
    people: set[str] = set()
    for item in batch:
        message = item.message
        key = (message.sender, message.message_id)
        if (existing := known.get(key)) is not None:
            plan.outcomes.append(_duplicate(existing, message))
            continue
        if message.person_id is not None:
            if message.person_id in people:
                raise NotBulk(f"{message.message_id}: a second message about one person")
            people.add(message.person_id)
        sequence = take_sequence()
        plan.ledger.append(ledger_rows.insert_params(sequence, message, NO_RECEIPT))
        at = message.received_at.isoformat()
        plan.links.append(
            _link(chain, at, "message_accepted", str(sequence), message.sender, message.sha256)
        )
        _collect(plan, writes.plan(sequence, message, item.effects, take_sequence), chain)
        record = ledger_rows.new_record(sequence, message, NO_RECEIPT)
        known[key] = record
        plan.outcomes.append(AppendOutcome(record, created=True))
    return plan


def _duplicate(existing: LedgerRecord, message: NewMessage) -> BulkOutcome:
    if existing.sha256 == message.sha256:
        return AppendOutcome(existing, created=False)
    return ReplayConflict("message id already used for a different message")


def _collect(plan: BulkPlan, ops: Iterable[writes.Op], chain: AuditChain) -> None:
    for op in ops:
        if isinstance(op, writes.Link):
            plan.links.append(_link(chain, op.at, op.action, op.subject, op.actor, op.digest))
        else:
            collect_statement(plan.statements, op)


def collect_statement(statements: dict[str, list[tuple[object, ...]]], op: writes.Op) -> None:
    """Add ``op``'s rows to ``statements`` (rows by SQL text, in first-seen order).

    Raises:
        NotBulk: ``op`` can refuse, must be counted, or is an audit link.
    """
    if isinstance(op, writes.RunMany) and op.unique is None:
        statements.setdefault(op.sql, []).extend(op.rows)
    elif isinstance(op, writes.Run) and _unconditional(op):
        statements.setdefault(op.sql, []).append(op.params)
    else:
        what = "an audit link" if isinstance(op, writes.Link) else repr(op.sql[:60])
        raise NotBulk(f"this operation can refuse or must be counted: {what}")


def _unconditional(op: writes.Run) -> bool:
    return (
        op.expect is None
        and op.refused is None
        and op.unique is None
        and op.audit is None
        and not op.required
    )


def _link(chain: AuditChain, *fields: str) -> tuple[object, ...]:
    """The chain's next link over (at, action, subject, actor, digest), as an audit row."""
    e = chain.next(*fields)
    return (e.seq, e.at, e.action, e.subject, e.actor, e.digest, e.prev_hash, e.hash)


def lookup_sql(count: int) -> str:
    """The records of one sender under ``count`` message ids (``?`` placeholders)."""
    marks = ",".join("?" * count)
    return f"SELECT {ledger_rows.COLUMNS} FROM ledger WHERE sender=? AND message_id IN ({marks})"


async def find_many(
    read: Callable[[str, tuple[object, ...]], Awaitable[list[tuple[object, ...]]]],
    sender: str,
    message_ids: Sequence[str],
) -> dict[str, LedgerRecord]:
    """The records ``sender`` stored under any of ``message_ids``, read with the dialect's
    ``read`` (``?`` placeholders), a few hundred ids per query."""
    found: dict[str, LedgerRecord] = {}
    for start in range(0, len(message_ids), LOOKUP_CHUNK):
        chunk = tuple(message_ids[start : start + LOOKUP_CHUNK])
        for row in await read(lookup_sql(len(chunk)), (sender, *chunk)):
            record = ledger_rows.to_record(row)
            found[record.message_id] = record
    return found


def ids_by_sender(batch: Sequence[BulkMessage]) -> dict[str, list[str]]:
    """The distinct message ids of ``batch`` per sender, in order."""
    ids: dict[str, dict[str, None]] = {}
    for item in batch:
        ids.setdefault(item.message.sender, {})[item.message.message_id] = None
    return {sender: list(chunk) for sender, chunk in ids.items()}
