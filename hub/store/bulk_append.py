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

import hashlib
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final, Protocol, runtime_checkable

from certhub.hub.store import ledger_rows, writes
from certhub.hub.store.audit_chain import AuditChain
from certhub.hub.store.base import (
    AppendOutcome,
    LedgerRecord,
    ReplayConflict,
    StoreError,
)
from certhub.hub.store.bulk_closures import closed_meanwhile, closure_people
from certhub.hub.store.effects import Effects
from certhub.hub.store.records import NewMessage, RecordKind

__all__ = [
    "BulkAppender",
    "BulkItem",
    "BulkMessage",
    "BulkOutcome",
    "BulkPlan",
    "NotBulk",
    "Prefilled",
    "Rows",
    "closed_people",
    "collect_statement",
    "find_many",
    "ids_by_sender",
    "lookup_sql",
    "plan_bulk",
    "planned_rows",
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


Rows = tuple[tuple[object, ...], list[tuple[str, tuple[object, ...]]]]
"""One message's ledger row (:data:`~certhub.hub.store.ledger_rows.INSERT`'s parameters) and
its statements, each (SQL text, parameters), in the order :func:`writes.plan` has them."""


class Prefilled(Protocol):
    """A message of a bulk whose rows its maker wrote out beforehand, all but the sequence.

    For a maker that writes thousands of one kind of message: it checks on a sample
    that :meth:`rows` equals :func:`planned_rows` of the message and its effects
    (the rows :func:`plan_bulk` would write for them), and sends the
    :class:`BulkMessage` otherwise. Its statements must be unconditional ones (as a
    :class:`BulkMessage`'s) and its message accepted like any (no audit link of its own).
    """

    @property
    def sender(self) -> str:
        """The message's sender."""
        ...

    @property
    def message_id(self) -> str:
        """The sender's id of the message."""
        ...

    @property
    def sha256(self) -> str:
        """The digest of the exact JWS."""
        ...

    @property
    def person_id(self) -> str | None:
        """Whom the message is about (two in one bulk are refused), if anyone."""
        ...

    def rows(self, sequence: int) -> Rows:
        """The message's rows when it is stored at ``sequence``."""
        ...


BulkItem = BulkMessage | Prefilled
"""A message of a bulk: with its effects to plan, or with its rows written out."""


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

    async def append_many(self, batch: Sequence[BulkItem]) -> list[BulkOutcome]:
        """Append ``batch`` in one transaction; each message's outcome, in order."""
        ...

    async def find_many(self, sender: str, message_ids: Sequence[str]) -> dict[str, LedgerRecord]:
        """The records ``sender`` stored under any of ``message_ids``, by message id."""
        ...


def plan_bulk(
    batch: Sequence[BulkItem],
    stored: Mapping[tuple[str, str], LedgerRecord],
    take_sequence: Callable[[], int],
    chain: AuditChain,
    closed: Mapping[str, str],
) -> BulkPlan:
    """Sequences, links and statements of ``batch``, given the records already ``stored`` and
    the benefits ``closed`` (person to task; :mod:`~certhub.hub.store.bulk_closures`) read in
    its transaction.

    Raises:
        NotBulk: a plan has an operation that can refuse or must be counted, or two
            new messages are about the same person; nothing was taken then that the
            caller's rollback does not give back.
    """
    plan = BulkPlan()
    known = dict(stored)
    people: set[str] = set()
    once: set[tuple[str, str]] = set()  # once-signed records this batch stores
    records = _Records()
    for item in batch:
        message = item.message if isinstance(item, BulkMessage) else item
        key = (message.sender, message.message_id)
        if (existing := known.get(key)) is not None:
            plan.outcomes.append(_duplicate(existing, message.sha256))
            continue
        planned = item.effects if isinstance(item, BulkMessage) else None
        # what it planned on as absent recorded meanwhile, or its person's benefit closed
        if gone := closed_meanwhile(planned, message.person_id, closed, known):
            plan.outcomes.append(gone)
            continue
        if message.person_id is not None:
            if message.person_id in people:
                raise NotBulk(f"{message.message_id}: a second message about one person")
            people.add(message.person_id)
        sequence = take_sequence()
        if isinstance(item, BulkMessage):
            ledger = ledger_rows.insert_params(sequence, item.message, NO_RECEIPT)
            plan.ledger.append(ledger)
            plan.links.append(_accepted(chain, ledger))
            effects = item.effects
            if effects.absent or effects.closure_read:  # checked above, in this transaction
                effects = replace(effects, absent=(), closure_read=None)
            if keys := writes.once_keys(effects):  # looked up with the batch's messages
                effects = writes.unrecorded(effects, {k for k in keys if k in known or k in once})
                once.update(writes.once_keys(effects))
            _collect(plan, writes.plan(sequence, item.message, effects, take_sequence), chain)
            record = ledger_rows.new_record(sequence, item.message, NO_RECEIPT)
        else:
            ledger, statements = item.rows(sequence)
            plan.ledger.append(ledger)
            plan.links.append(_accepted(chain, ledger))
            for sql, params in statements:
                if (rows := plan.statements.get(sql)) is None:
                    rows = plan.statements[sql] = []
                rows.append(params)
            record = records.of(ledger)
        known[key] = record
        plan.outcomes.append(AppendOutcome(record, created=True))
    return plan


class _Records:
    """The records of a bulk's written-out ledger rows (:data:`~certhub.hub.store.ledger_rows.
    INSERT`'s parameters, which begin with ``COLUMNS``' values): what
    :func:`~certhub.hub.store.ledger_rows.to_record` makes of them, with the kind and the
    time of receipt — the same for a whole bulk — parsed once, not once a record (≈ a third
    of :func:`plan_bulk`'s time for a bulk of certifications). A row of other types than a
    record's own goes through ``to_record``."""

    __slots__ = ("_kinds", "_times")

    def __init__(self) -> None:
        self._kinds: dict[object, RecordKind] = {}
        self._times: dict[object, datetime] = {}

    def of(self, ledger: tuple[object, ...]) -> LedgerRecord:
        """The record of ``ledger`` once inserted."""
        seq, kind, mtype, sender, mid, kid, digest, jws, payload, received, receipt = ledger[:11]
        if not (
            type(seq) is int
            and type(kind) is str
            and type(mtype) is str
            and type(sender) is str
            and type(mid) is str
            and type(kid) is str
            and type(digest) is str
            and type(jws) is bytes
            and type(payload) is bytes
            and type(received) is str
            and type(receipt) is str
        ):
            return ledger_rows.to_record(ledger[:11])
        if (at := self._times.get(received)) is None:
            at = self._times[received] = datetime.fromisoformat(received)
        if (of_kind := self._kinds.get(kind)) is None:
            of_kind = self._kinds[kind] = RecordKind(kind)
        return LedgerRecord(
            sequence=seq, kind=of_kind, message_type=mtype, sender=sender, message_id=mid,
            kid=kid, sha256=digest, jws=jws, payload=payload, received_at=at, receipt=receipt,
            status=None,
        )  # fmt: skip


def planned_rows(sequence: int, message: NewMessage, effects: Effects) -> Rows:
    """The rows :func:`plan_bulk` writes for ``message`` and ``effects`` at ``sequence`` (what a
    :class:`Prefilled` message's ``rows`` must equal).

    Raises:
        NotBulk: the plan cannot go in bulk, takes sequences of its own, or links in the
            audit chain (neither can be written out beforehand).
    """

    def no_sequence() -> int:
        raise NotBulk("the plan appends records of its own")

    statements: dict[str, list[tuple[object, ...]]] = {}
    ordered: list[tuple[str, tuple[object, ...]]] = []
    if (read := effects.closure_read) is not None and read.task_id is None:  # as Prefilled's
        effects = replace(effects, closure_read=None)  # checked by plan_bulk, in the bulk
    for op in writes.plan(sequence, message, effects, no_sequence):
        if isinstance(op, writes.Link):
            raise NotBulk("the plan links in the audit chain")
        collect_statement(statements, op)  # refuses what plan_bulk refuses
        rows = op.rows if isinstance(op, writes.RunMany) else [op.params]
        ordered += [(op.sql, row) for row in rows]
    return ledger_rows.insert_params(sequence, message, NO_RECEIPT), ordered


def _accepted(chain: AuditChain, ledger: tuple[object, ...]) -> tuple[object, ...]:
    """The "message accepted" link of the ledger row ``ledger`` (its sequence, received_at,
    sender and digest: :data:`~certhub.hub.store.ledger_rows.INSERT`'s order)."""
    sequence, sender, digest, at = ledger[0], ledger[3], ledger[6], ledger[9]
    return _link(chain, str(at), "message_accepted", str(sequence), str(sender), str(digest))


def _duplicate(existing: LedgerRecord, sha256: str) -> BulkOutcome:
    if existing.sha256 == sha256:
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


def _link(  # noqa: PLR0917 - the link's own fields, in the chain's order
    chain: AuditChain, at: str, action: str, subject: str, actor: str, digest: str
) -> tuple[object, ...]:
    """The chain's next link over (at, action, subject, actor, digest), as an audit row.

    :func:`~certhub.hub.store.audit_chain.link_hash` encodes the link as compact JSON;
    a string with no quote, backslash or unprintable character is its own JSON text
    between quotes, so such a link (every one a bulk of certifications makes: times,
    digests, numbers, names of actions and senders) is written out directly — a third
    of the encoder's cost, once per record. Any other goes through the chain itself.
    """
    text = at + action + subject + actor + digest
    if '"' in text or "\\" in text or not text.isprintable():
        e = chain.next(at, action, subject, actor, digest)
        return (e.seq, e.at, e.action, e.subject, e.actor, e.digest, e.prev_hash, e.hash)
    seq, prev = chain.seq + 1, chain.head
    material = f'["{prev}",{seq},"{at}","{action}","{subject}","{actor}","{digest}"]'
    chain.seq, chain.head = seq, hashlib.sha256(material.encode()).hexdigest()
    return (seq, at, action, subject, actor, digest, prev, chain.head)


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


def closed_people(batch: Sequence[BulkItem]) -> list[str]:
    """Whose closures ``batch``'s plans read (:mod:`~certhub.hub.store.bulk_closures`)."""
    return closure_people(
        (i.effects, None) if isinstance(i, BulkMessage) else (None, i.person_id) for i in batch
    )


def ids_by_sender(batch: Sequence[BulkItem]) -> dict[str, list[str]]:
    """The distinct message ids of ``batch`` per sender, in order, of the records its
    effects sign once (:func:`~certhub.hub.store.writes.once_keys`: stored ones left out)
    and of those they planned on as absent (a message finding one stored is refused)."""
    ids: dict[str, dict[str, None]] = {}
    for item in batch:
        message = item.message if isinstance(item, BulkMessage) else item
        ids.setdefault(message.sender, {})[message.message_id] = None
        if not isinstance(item, BulkMessage):
            continue
        for sender, other in writes.once_keys(item.effects):
            ids.setdefault(sender, {})[other] = None
        for gone in item.effects.absent:
            ids.setdefault(gone.sender, {})[gone.message_id] = None
    return {sender: list(chunk) for sender, chunk in ids.items()}
