"""The SQLite executor of :mod:`hub.store.writes`, inside the ledger writer's open transaction.

Statements are in-process calls on the event-loop thread; the caller wraps
them in a savepoint when they can fail.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

from hub.store import writes
from hub.store.audit_chain import AuditChain
from hub.store.base import NewMessage
from hub.store.effects import Effects

AUDIT_INSERT = (
    "INSERT INTO audit (seq, at, action, subject, actor, digest, prev_hash, hash)"
    " VALUES (?,?,?,?,?,?,?,?)"
)


class EffectWriter:
    """Runs write plans on the writer's connection, chaining audit links as it goes."""

    def __init__(
        self, conn: sqlite3.Connection, chain: AuditChain, next_sequence: Callable[[], int]
    ) -> None:
        self._conn = conn
        self._chain = chain
        self._next_sequence = next_sequence

    def audit(self, at: str, action: str, subject: str, actor: str, digest: str) -> None:
        """Append one audit link."""
        e = self._chain.next(at, action, subject, actor, digest)
        self._conn.execute(
            AUDIT_INSERT, (e.seq, e.at, e.action, e.subject, e.actor, e.digest, e.prev_hash, e.hash)
        )

    def apply(self, sequence: int, message: NewMessage, effects: Effects) -> None:
        """Write every effect of the message stored at ``sequence``."""
        self.run(writes.plan(sequence, message, effects, self._next_sequence))

    def run(self, ops: Iterable[writes.Op]) -> None:
        """Run ``ops`` in order; a refusal raises its :class:`~hub.store.base.Conflict`."""
        conn = self._conn
        for op in ops:
            if isinstance(op, writes.Link):
                self.audit(op.at, op.action, op.subject, op.actor, op.digest)
            elif isinstance(op, writes.Check):
                row = conn.execute(op.sql, op.params).fetchone()
                if (None if row is None else row[0]) != op.expect:
                    raise op.refused
            else:
                try:
                    if isinstance(op, writes.RunMany):
                        conn.executemany(op.sql, op.rows)
                        continue
                    changed = conn.execute(op.sql, op.params).rowcount
                except sqlite3.IntegrityError as exc:
                    if op.unique is None:
                        raise
                    raise op.unique from exc
                if op.refused is not None and changed != op.expect:
                    raise op.refused
