"""The queries behind :class:`~certhub.hub.store.sender_reads.SenderReads`, both dialects.

Plain SQL both dialects accept; the dialect provides ``_read``. A sender's
records are found through the ledger's ``UNIQUE (sender, message_id)`` index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

from certhub.hub.store import ledger_rows as schema
from certhub.hub.store.base import LedgerRecord, TaskRow
from certhub.hub.store.records import RecordKind
from certhub.hub.store.rows import row_as
from certhub.hub.store.sql_transport import SqlReads

__all__ = ["SenderQueries"]

_SENDER_PAGE: Final = (
    "SELECT "
    + ", ".join(f"ledger.{c.strip()}" for c in schema.COLUMNS.split(","))
    + ", items.status FROM ledger LEFT JOIN items ON items.item_id = ledger.sequence"
    " WHERE ledger.sender=? AND ledger.kind=? AND ledger.sequence<?"
    " ORDER BY ledger.sequence DESC LIMIT ?"
)
_REPORTS_SINCE: Final = (
    "SELECT count(*), min(received_at) FROM ledger"
    " WHERE sender = ? AND kind = ? AND kid = ? AND received_at > ?"
)
_UPLOADS_SINCE: Final = (
    "SELECT count(*), min(at) FROM audit WHERE action = 'evidence_stored' AND actor = ? AND at > ?"
)
_TASKS: Final = "SELECT task_id, snapshot, version, changed_seq FROM tasks"


class SenderQueries(SqlReads):
    """A sender's reads; the dialect provides ``_read`` (mixed into its reads)."""

    async def sender_page(
        self, sender: str, kind: RecordKind, before: int, limit: int
    ) -> Sequence[LedgerRecord]:
        """Records of ``kind`` that ``sender`` signed, before ``before``, newest first.

        Each carries its review status (``items.status``) like a pull page's records.
        """
        rows = await self._read(_SENDER_PAGE, (sender, kind.value, before, limit))
        return [schema.to_record(row) for row in rows]

    async def reports_since(self, sender: str, kid: str, since: datetime) -> tuple[int, datetime]:
        """How many reports ``sender`` signed with key ``kid`` after ``since``, and when
        the first of them was received (``since`` when there is none).

        Read through the ``(sender, message_id)`` index: only the sender's own records
        are looked at, a few a month for a coordinator. ``received_at`` is ISO-8601 text
        in UTC, so text order is time order.
        """
        rows = await self._read(
            _REPORTS_SINCE, (sender, RecordKind.REPORT.value, kid, since.isoformat())
        )
        count, first = rows[0]
        return int(str(count)), since if first is None else datetime.fromisoformat(str(first))

    async def uploads_since(self, sender: str, since: datetime) -> tuple[int, datetime]:
        """How many evidence files ``sender`` uploaded after ``since`` (its
        ``evidence_stored`` audit links: one a file), and when the first was (``since`` if none).

        Read through the ``audit_uploads`` index, not a scan of the audit chain (as long as
        the ledger). ``at`` is ISO-8601 text in UTC, so text order is time order.
        """
        rows = await self._read(_UPLOADS_SINCE, (sender, since.astimezone(UTC).isoformat()))
        count, first = rows[0]
        return int(str(count)), since if first is None else datetime.fromisoformat(str(first))

    async def tasks_of(self, person_ids: Sequence[str]) -> Sequence[TaskRow]:
        """Every verification task (any status) of these people, oldest change first."""
        if not person_ids:
            return []
        marks = ", ".join("?" for _ in person_ids)
        sql = f"{_TASKS} WHERE person_id IN ({marks}) ORDER BY changed_seq"
        rows = await self._read(sql, tuple(person_ids))
        return [row_as(TaskRow, row) for row in rows]
