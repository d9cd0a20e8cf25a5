"""Reads of items under review by kind: a reader's list of what awaits a decision.

The same SQL on both dialects (mixed into :class:`~certhub.hub.store.queries.LedgerReads`,
whose keyset ``_page`` it uses): the item's ledger record with its review status,
in ledger order, of a region prefix (the record's village, else its county) and
inside the reader's area.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from certhub.hub.store import ledger_rows as schema
from certhub.hub.store.accountability_reads import PageQuery
from certhub.hub.store.base import LedgerRecord
from certhub.security.scopes import area_condition

__all__ = ["ReviewReads"]

_COLUMNS: Final = ", ".join(f"ledger.{c.strip()}" for c in schema.COLUMNS.split(","))
_SELECT: Final = (
    f"SELECT {_COLUMNS}, items.status FROM ledger JOIN items ON items.item_id = ledger.sequence"
)

Condition = tuple[str, tuple[object, ...]]


class ReviewReads:
    """Items of one kind in some review states, paged by ledger sequence (the
    :class:`~certhub.hub.store.base.ReviewItems` role)."""

    async def _page(
        self, select: str, key: str, page: PageQuery[Any], *conditions: Condition | None
    ) -> list[tuple[object, ...]]:
        raise NotImplementedError  # LedgerReads' keyset page

    async def list_items(
        self, kind: str, page: PageQuery[int], *, statuses: Sequence[str]
    ) -> Sequence[LedgerRecord]:
        """Records of items of ``kind`` in one of ``statuses`` after sequence ``page.after``,
        oldest first, of ``page.region``'s prefix and inside ``page.area``."""
        marks = ", ".join("?" for _ in statuses)
        rows = await self._page(
            _SELECT,
            "ledger.sequence",
            page,
            ("items.kind = ?", (kind,)),
            (f"items.status IN ({marks})", tuple(statuses)),
            area_condition(page.area, county="ledger.county", village="ledger.village"),
            None
            if page.region is None
            else ("coalesce(ledger.village, ledger.county) LIKE ?", (f"{page.region}%",)),
        )
        return [schema.to_record(row) for row in rows]
