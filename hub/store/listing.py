"""A reader's list as the ledger pages it: what it selects, its keyset key, its region columns.

Every list a reader pages through (tasks, deadlines, overpayments, ratings, items under
review, reports' deadlines) runs the same query: its select, of the rows inside the
reader's area and of the page's region prefix that meet the list's own filters, after the
page's cursor in key order, ``limit`` of them. A :class:`Listing` declares a list once —
which columns hold its rows' region codes — and :meth:`Listing.page` writes that query,
the same text on both dialects. No caller input reaches the SQL: only parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from certhub.hub.store.accountability_reads import Condition, PageQuery
from certhub.security.scopes import area_condition

__all__ = ["Listing"]


@dataclass(frozen=True, slots=True)
class Listing:
    """One list's query: its ``select`` (no ``WHERE``), the keyset ``key`` it is ordered and
    paged by, and the SQL expressions of a row's ``county`` and ``village`` codes.

    ``village`` None: the rows name no village (a county's, or an area code standing for
    either), so a page of a village's region reads that village's county.
    """

    select: str
    key: str
    county: str = "county"
    village: str | None = "village"

    def page(self, page: PageQuery[Any], *filters: Condition | None) -> Condition:
        """The SQL and parameters of one keyset page: ``page.limit`` rows with the key after
        ``page.after``, inside ``page.area``, of ``page.region``'s prefix, meeting every
        filter given (``None``: that filter was not asked for)."""
        area = area_condition(page.area, county=self.county, village=self.village or "NULL")
        kept = [area, *(f for f in filters if f is not None)]
        if page.region is not None:
            kept.append(self._region(page.region))
        kept.append((f"{self.key}>?", (page.after,)))
        where = " AND ".join(sql for sql, _ in kept)
        params = tuple(value for _, values in kept for value in values)
        return f"{self.select} WHERE {where} ORDER BY {self.key} LIMIT ?", (*params, page.limit)

    def _region(self, region: str) -> Condition:
        """The rows whose region code (the village's, else the county's) starts with
        ``region``."""
        if self.village is None:
            return f"{self.county} LIKE ?", (f"{region[:6]}%",)
        return f"coalesce({self.village}, {self.county}) LIKE ?", (f"{region}%",)
