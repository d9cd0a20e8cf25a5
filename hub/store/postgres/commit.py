"""One group-commit transaction of the PostgreSQL ledger: its jobs and how each is applied.

:func:`begin` takes the writer lock and reads where the ledger stands;
:func:`run_batch` applies the queued jobs inside the open transaction: runs of
plain messages in bulk, a message with effects under its own savepoint.
See :mod:`certhub.hub.store.postgres` for why the lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Final

import asyncpg

from certhub.hub.store import ledger_rows
from certhub.hub.store.audit_chain import AuditChain
from certhub.hub.store.base import (
    AppendOutcome,
    Conflict,
    NewMessage,
    ReplayConflict,
    StoreError,
    StoreUnavailable,
)
from certhub.hub.store.group_commit import Append, Job
from certhub.hub.store.postgres import schema
from certhub.hub.store.postgres.bulk import append_plain, is_plain, person_of
from certhub.hub.store.postgres.executor import GroupWrite

DATABASE_ERRORS: Final = (asyncpg.PostgresError, *schema.CONNECTION_ERRORS)


@contextlib.asynccontextmanager
async def pooled(
    pool: asyncpg.Pool,
    doing: str,
    *,
    transaction: bool = False,
    error: Callable[[str], Exception] = StoreUnavailable,
) -> AsyncIterator[schema.Conn]:
    """A connection lent by ``pool`` (in a transaction when asked) for one piece of work.

    A database failure inside (a lost connection, a refused statement) raises
    ``error(f"cannot {doing}: …")``, by default :class:`StoreUnavailable`: the
    caller's answer is "retry later" (503), not a 500.
    """
    try:
        async with pool.acquire() as conn:
            if not transaction:
                yield conn
                return
            async with conn.transaction():
                yield conn
    except DATABASE_ERRORS as exc:
        raise error(f"cannot {doing}: {exc}") from exc


class _Duplicate(Exception):
    """The (sender, message id) is stored already; leave the savepoint."""


async def run_batch(group: GroupWrite, batch: list[Job]) -> list[object]:
    """Apply every job in order in the open transaction; each one's result or error.

    Runs of plain messages go to :func:`~certhub.hub.store.postgres.bulk.append_plain`
    together; everything else one by one under its own savepoint.
    """
    results: dict[int, object] = {}
    plain: list[tuple[int, Append]] = []
    people: set[str] = set()  # whose register row the run upserts: once each per run
    for index, job in enumerate(batch):
        if isinstance(job, Append) and is_plain(job.effects):
            if (person := person_of(job.effects)) is not None:
                if person in people:  # a second certification of one person: a new run
                    results.update(await append_plain(group, plain))
                    plain, people = [], set()
                people.add(person)
            plain.append((index, job))
            continue
        results.update(await append_plain(group, plain))
        plain, people = [], set()
        results[index] = await run_job(group, job)
    results.update(await append_plain(group, plain))
    return [results[index] for index in range(len(batch))]


async def run_job(group: GroupWrite, job: Job) -> object:
    """Apply ``job`` in the open transaction; its result or the :class:`StoreError` for it."""
    if isinstance(job, Append):
        return await _apply(group, job)
    mark = group.mark()
    try:
        async with group.conn.transaction():  # a savepoint
            return await job.apply(group)
    except asyncpg.PostgresError as exc:
        group.restore(mark)
        return StoreUnavailable(f"write failed: {exc}")


async def _apply(group: GroupWrite, job: Append) -> AppendOutcome | StoreError:
    """Insert one message and its effects inside the open transaction.

    The insert is tried first (``ON CONFLICT DO NOTHING``): a duplicate is
    the rare case, and the unique (sender, message_id) constraint finds it
    without a prior SELECT.
    """
    message = job.message
    mark = group.mark()
    sequence = group.take_sequence()
    try:
        receipt = job.receipt_for(sequence)
    except Exception as exc:  # a signing failure fails this message only
        group.restore(mark)
        return StoreUnavailable(f"could not sign the receipt: {exc}")
    try:
        async with group.conn.transaction():  # a savepoint
            await _insert_accepted(group, sequence, message, receipt)
            await group.apply(sequence, message, job.effects)
    except _Duplicate:
        group.restore(mark)
        return await _existing(group.conn, message)
    except Conflict as exc:
        group.restore(mark)
        return exc
    except asyncpg.IntegrityConstraintViolationError as exc:
        group.restore(mark)
        return Conflict("conflict", f"changed meanwhile; retry ({exc})")
    return AppendOutcome(ledger_rows.new_record(sequence, message, receipt), created=True)


_CONNECT_TIMEOUT: Final = 10.0  # connecting, not queries: a hub must not hang at start-up
# A group commit holds the deployment's writer lock until it commits and never waits on
# itself between statements for more than a moment. A process stopped mid-commit (SIGSTOP,
# a paused VM, a partition) would hold it, and every process's writes, until TCP noticed
# (two hours): past this the server ends that session and frees the lock.
WRITER_IDLE_SECONDS: Final = 10.0


async def connect_pool(url: str, size: int, settings: dict[str, str]) -> asyncpg.Pool:
    """A connection pool whose commits wait for the WAL flush (a 202 must be durable)."""
    try:
        return await asyncpg.create_pool(
            url,
            min_size=1,
            max_size=size,
            timeout=_CONNECT_TIMEOUT,
            server_settings=_server_settings(settings),
        )
    except DATABASE_ERRORS as exc:
        raise StoreUnavailable(f"cannot reach the ledger database: {exc}") from exc


async def connect_writer(url: str) -> asyncpg.Connection:
    """The group commit's own connection, with the pool's durability settings.

    Kept apart from the pool: taking a pooled connection per batch costs a
    session reset on every release (a round trip each batch waits for), and
    holding one would starve the readers of a small pool.
    """
    idle = {"idle_in_transaction_session_timeout": f"{WRITER_IDLE_SECONDS:g}s"}
    return await asyncpg.connect(
        url, timeout=_CONNECT_TIMEOUT, server_settings=_server_settings(idle)
    )


def _server_settings(settings: dict[str, str]) -> dict[str, str]:
    # jit off: the few passes over all pensioners (the register's summary) cost more than the
    # planner's JIT threshold, and compiling them (inlining, optimising) took 1.7-2.7 s of a
    # 2.8-3.2 s summary at a million (bench/README.md "Register at scale"); no query here
    # runs long enough to win it back
    return {"synchronous_commit": "on", "application_name": "certhub", "jit": "off", **settings}


async def begin(conn: schema.Conn) -> GroupWrite:
    """Take the writer lock, then read where the ledger and the audit chain stand."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", schema.WRITER_LOCK)
    next_sequence, audit_seq, head = schema.parse_heads(await conn.fetchrow(schema.HEADS))
    return GroupWrite(conn, next_sequence, AuditChain(audit_seq, head))


async def _insert_accepted(
    group: GroupWrite, sequence: int, message: NewMessage, receipt: str
) -> None:
    """Insert the row and its "message accepted" link; raise :class:`_Duplicate` if it exists."""
    link = group.chain.next(
        message.received_at.isoformat(),
        "message_accepted",
        str(sequence),
        message.sender,
        message.sha256,
    )
    inserted = await group.conn.fetchval(
        schema.INSERT_ACCEPTED,
        *ledger_rows.insert_params(sequence, message, receipt),
        *(link.seq, link.at, link.action, link.subject, link.actor, link.digest),
        *(link.prev_hash, link.hash),
    )
    if inserted is None:
        raise _Duplicate


async def _existing(conn: schema.Conn, message: NewMessage) -> AppendOutcome | StoreError:
    row = await conn.fetchrow(schema.SELECT_BY_MESSAGE_ID, message.sender, message.message_id)
    if row is None:  # the constraint that failed was not (sender, message_id)
        return StoreUnavailable("ledger refused the row")
    existing = ledger_rows.to_record(tuple(row))
    if existing.sha256 == message.sha256:
        return AppendOutcome(existing, created=False)
    return ReplayConflict("message id already used for a different message")
