"""What a sender reads about its own messages: its records newest first, and the tasks they raised.

The coordinators' entrance shows "my reports" with their live stage; these two
reads give it the records (with their review status) and the tasks of the
people they name. The queries are :mod:`certhub.hub.store.sender_queries`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # base imports this protocol for LedgerStore; typing only
    from certhub.hub.store.base import LedgerRecord, TaskRow
    from certhub.hub.store.records import RecordKind

__all__ = ["SenderReads"]


class SenderReads(Protocol):
    """A sender's own records and the tasks of the people they name."""

    async def sender_page(
        self, sender: str, kind: RecordKind, before: int, limit: int
    ) -> Sequence[LedgerRecord]:
        """Records of ``kind`` that ``sender`` signed, before ``before``, newest first."""
        ...

    async def tasks_of(self, person_ids: Sequence[str]) -> Sequence[TaskRow]:
        """Every task (any status) of these people."""
        ...

    async def reports_since(self, sender: str, kid: str, since: datetime) -> tuple[int, datetime]:
        """How many reports ``sender`` signed with key ``kid`` after ``since``, and when
        the first of them was received (``since`` when there is none)."""
        ...

    async def uploads_since(self, sender: str, since: datetime) -> tuple[int, datetime]:
        """How many evidence files ``sender`` uploaded after ``since`` (its
        ``evidence_stored`` audit links: one a file), and when the first was (``since`` if none)."""
        ...
