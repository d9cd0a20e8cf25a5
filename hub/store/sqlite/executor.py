"""The SQLite executor of :mod:`~certhub.hub.store.writes`, in the writer's open transaction.

Statements are in-process calls on the event-loop thread; the caller wraps
them in a savepoint when they can fail.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

from certhub.hub.store import roster_import, writes
from certhub.hub.store.audit_chain import AuditChain
from certhub.hub.store.base import Conflict, NewMessage
from certhub.hub.store.effects import Effects

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
        """Write every effect of the message stored at ``sequence`` (the once-signed
        records the ledger holds already left out: :func:`~certhub.hub.store.writes.unrecorded`)."""
        if keys := writes.once_keys(effects):
            held = {k for k in keys if self._conn.execute(writes.RECORDED, k).fetchone()}
            effects = writes.unrecorded(effects, held)
        self.run(writes.plan(sequence, message, effects, self._next_sequence))

    def run(self, ops: Iterable[writes.Op]) -> int:
        """Run ``ops`` in order; how many audited statements changed rows.

        A refusal raises its :class:`~certhub.hub.store.base.Conflict`.
        """
        conn, audited, at = self._conn, 0, ""
        for op in ops:
            if isinstance(op, writes.Link):
                self.audit(op.at, op.action, op.subject, op.actor, op.digest)
            elif isinstance(op, writes.Check):
                row = conn.execute(op.sql, op.params).fetchone()
                if (None if row is None else row[0]) != op.expect:
                    raise op.refused
            elif isinstance(op, writes.RunMany):
                if (many := roster_import.SQLITE_MANY.get(op.sql)) is not None:
                    self._many_rows(many, op.sql, op.rows)
                else:
                    self._guarded(op.unique, conn.executemany, op.sql, op.rows)
            else:
                changed = self._guarded(op.unique, conn.execute, op.sql, op.params).rowcount
                if op.refused is not None and changed != op.expect:
                    raise op.refused
                if changed and op.audit is not None:
                    at = at or writes.now()
                    self.audit(at, *op.audit, "-")
                    audited += 1
                if op.required and not changed:
                    break
        return audited

    def _many_rows(
        self, many: roster_import.ManyRows, sql: str, rows: Sequence[tuple[object, ...]]
    ) -> None:
        """``sql`` for every row, ``many.rows`` rows per statement (the rest one by one)."""
        whole = len(rows) - len(rows) % many.rows
        take = itemgetter(*many.take)
        flat = [
            tuple(chain.from_iterable(map(take, rows[start : start + many.rows])))
            for start in range(0, whole, many.rows)
        ]
        self._conn.executemany(many.sql, flat)
        self._conn.executemany(sql, rows[whole:])

    @staticmethod
    def _guarded(
        unique: Conflict | None, execute: Callable[[str, Any], sqlite3.Cursor], sql: str, p: Any
    ) -> sqlite3.Cursor:
        try:
            return execute(sql, p)
        except sqlite3.IntegrityError as exc:
            if unique is None:
                raise
            raise unique from exc
