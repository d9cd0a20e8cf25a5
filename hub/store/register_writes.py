"""The register's writes that belong to no message: a roster import batch, the months an
imported entry shows paid, a reminder.

Named operations, so a caller never hands the ledger statements: the SQL lives
in :mod:`certhub.hub.store.roster_import` and
:mod:`certhub.hub.store.register_reminders`. Mixed into both dialects' ledgers
(through :class:`~certhub.hub.store.queries.LedgerReads`); the ledger's
``apply_writes`` (:class:`~certhub.hub.store.sql_transport.SqlWrites`) runs them in
its next group commit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from certhub.hub.store.register_reminders import reminder_ops
from certhub.hub.store.roster_import import (
    CURRENT,
    RosterRange,
    claim_ops,
    current_params,
    import_ops,
)
from certhub.hub.store.sql_transport import SqlReads, SqlWrites

if TYPE_CHECKING:
    from certhub.hub.store.effects import MonthsClaim, NoticeWrite

__all__ = ["RegisterWriting"]


class RegisterWriting(SqlReads, SqlWrites):
    """:meth:`import_roster`, :meth:`claim_imported_months` and :meth:`queue_reminder` over the
    ledger's group commit."""

    async def import_roster(self, rows: Sequence[tuple[object, ...]] | RosterRange) -> None:
        """Write one batch of roster rows (person, as_of, snapshot, area, name, status, since).

        People the ledger already holds at this ``as_of`` or later are left out
        first (:data:`~certhub.hub.store.roster_import.CURRENT`): the writes
        would not change them, and a re-import then writes nothing. Given a
        :class:`~certhub.hub.store.roster_import.RosterRange`, they are left out
        before its rows are even built.
        """
        if isinstance(rows, RosterRange):
            current = await self._current(rows.first, rows.last, rows.as_of)
            stale = await asyncio.to_thread(rows.build, current)
        elif rows:
            current = await self._current(*current_params(rows))
            stale = [r for r in rows if r[0] not in current] if current else rows
        else:
            return
        if stale:
            await self.apply_writes(import_ops(stale))

    async def _current(self, first: str, last: str, as_of: str) -> frozenset[str]:
        rows = await self._read(CURRENT, (first, last, as_of, as_of))
        return frozenset(str(p) for (p,) in rows)

    async def claim_imported_months(
        self, claims: Sequence[MonthsClaim], roster: bytes, actor: str
    ) -> int:
        """Claim the months ``claims`` name, read from the person's imported roster entry
        ``roster`` (as stored), unless that entry changed meanwhile or a month is claimed
        already (:data:`~certhub.hub.store.roster_import.CLAIM_IMPORTED`), audited as
        ``actor``'s: how many were."""
        ops = claim_ops(claims, roster, actor)
        return await self.apply_writes(ops) if ops else 0

    async def queue_reminder(self, notice: NoticeWrite, *, due: int, slot: int) -> bool:
        """Queue one certification reminder unless its slot was counted; whether it was."""
        ops = reminder_ops(notice, due=due, slot=slot, created_at=time.time())
        return bool(await self.apply_writes(ops))
