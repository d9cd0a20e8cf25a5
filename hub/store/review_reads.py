"""Reads of items under review: a reader's list of what awaits a decision, and a person's
eligibility reports not yet decided.

The same SQL on both dialects (mixed into :class:`~certhub.hub.store.queries.LedgerReads`),
each list a :class:`~certhub.hub.store.listing.Listing`: the item's ledger record with its
review status, in ledger order, of a region prefix (the record's village, else its county)
and inside the reader's area.

A report's ledger row carries the person it names (``person_id``; its county and village
are the report's region, the reporter's): :data:`REPORTS_BY_PERSON` indexes the reports
by that person, so :meth:`ReviewReads.reports_under_review` — asked by every restoration
check — reads a person's few reports by key and their items by primary key. The review
status itself stays in ``items``, changed in the transaction of each decision: nothing
else to keep in step.

A report's deadline runs from its filing (the ledger row's ``received_at``, ISO-8601 in
UTC, compared as text): :meth:`ReviewReads.reports_due` and
:meth:`ReviewReads.list_report_deadlines` read the undecided reports through the partial
index ``items_reports_undecided`` with their marks from ``report_deadlines``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final, Literal

from certhub.hub.store import deadlines
from certhub.hub.store import ledger_rows as schema
from certhub.hub.store.accountability_reads import PageQuery
from certhub.hub.store.base import LedgerRecord, ReportDeadlineRow, ReportUnderReview
from certhub.hub.store.listing import Listing
from certhub.hub.store.rows import row_as
from certhub.hub.store.sql_transport import SqlReads

__all__ = ["REPORTS_BY_PERSON", "REPORTS_BY_PERSON_BACKFILL", "UNDER_REVIEW", "ReviewReads"]

_COLUMNS: Final = ", ".join(f"ledger.{c.strip()}" for c in schema.COLUMNS.split(","))
_SELECT: Final = (
    f"SELECT {_COLUMNS}, items.status FROM ledger JOIN items ON items.item_id = ledger.sequence"
)
# An item's region is its ledger record's (a report's is the reporter's).
_ITEMS: Final = Listing(
    _SELECT, "ledger.sequence", county="ledger.county", village="ledger.village"
)
_REPORT_DEADLINES: Final = Listing(
    deadlines.SELECT_REPORTS, "items.item_id", county="ledger.county", village="ledger.village"
)

REPORTS_BY_PERSON: Final = """
CREATE INDEX ledger_reports_person ON ledger (person_id, sequence)
    WHERE message_type = 'eligibility_report/v1'
"""
"""Schema step: a person's eligibility reports by key (a restoration's check, the
comparison's holds), not a scan of every report."""

_UNDECIDED: Final = (
    "sequence IN (SELECT item_id FROM items WHERE kind = 'report'"
    " AND status IN ('received', 'accepted'))"
)
REPORTS_BY_PERSON_BACKFILL: Final[dict[Literal["sqlite", "postgres"], str]] = {
    "sqlite": f"""
    UPDATE ledger SET person_id = json_extract(CAST(payload AS TEXT), '$.person.id_number')
    WHERE message_type = 'eligibility_report/v1' AND person_id IS NULL
    AND json_valid(CAST(payload AS TEXT)) AND {_UNDECIDED}
    """,
    "postgres": f"""
    UPDATE ledger SET person_id = convert_from(payload, 'UTF8')::jsonb -> 'person'
        ->> 'id_number'
    WHERE message_type = 'eligibility_report/v1' AND person_id IS NULL AND {_UNDECIDED}
    """,
}
"""A report still under review stored without its person (none is today; a ledger from
before the column was filled) gets it from its payload, so the index finds it."""

UNDER_REVIEW: Final = (
    "SELECT ledger.sequence, ledger.reason, items.status FROM ledger"
    " JOIN items ON items.item_id = ledger.sequence"
    " WHERE ledger.person_id = ? AND ledger.message_type = 'eligibility_report/v1'"
    " AND items.status IN ('received', 'accepted') ORDER BY ledger.sequence"
)
"""The SQL :meth:`ReviewReads.reports_under_review` runs (through ``ledger_reports_person``)."""


class ReviewReads(SqlReads):
    """Items of one kind in some review states, paged by ledger sequence, and a person's
    reports under review (the :class:`~certhub.hub.store.base.ReviewItems` role)."""

    async def list_items(
        self, kind: str, page: PageQuery[int], *, statuses: Sequence[str]
    ) -> Sequence[LedgerRecord]:
        """Records of items of ``kind`` in one of ``statuses`` after sequence ``page.after``,
        oldest first, of ``page.region``'s prefix and inside ``page.area``."""
        marks = ", ".join("?" for _ in statuses)
        of_kind = ("items.kind = ?", (kind,))
        in_statuses = (f"items.status IN ({marks})", tuple(statuses))
        rows = await self._read(*_ITEMS.page(page, of_kind, in_statuses))
        return [schema.to_record(row) for row in rows]

    async def reports_under_review(self, person_id: str) -> Sequence[ReportUnderReview]:
        """This person's eligibility reports filed and not yet approved or rejected, oldest
        first."""
        rows = await self._read(UNDER_REVIEW, (person_id,))
        return [row_as(ReportUnderReview, row) for row in rows]

    async def reports_due(
        self, *, remind_filed_by: datetime, escalate_filed_before: datetime, limit: int
    ) -> Sequence[ReportDeadlineRow]:
        """Reports under review due a reminder (filed by ``remind_filed_by``) or an
        escalation (filed before ``escalate_filed_before``) they have not had, by item."""
        rows = await self._read(
            # escalated unreminded is done: it held later reports out of every batch
            f"{deadlines.SELECT_REPORTS} WHERE {deadlines.UNDECIDED}"
            " AND report_deadlines.escalated_at IS NULL"
            " AND (report_deadlines.reminded_at IS NULL AND ledger.received_at <= ?"
            " OR ledger.received_at < ?)"
            " ORDER BY items.item_id LIMIT ?",
            (_utc(remind_filed_by), _utc(escalate_filed_before), limit),
        )
        return [row_as(ReportDeadlineRow, row) for row in rows]

    async def list_report_deadlines(
        self, page: PageQuery[int], *, filed_before: datetime | None = None
    ) -> Sequence[ReportDeadlineRow]:
        """Reports under review by item after ``page.after``, of the region prefix, inside the
        area (only those filed before ``filed_before`` when given: the overdue)."""
        filed = None if filed_before is None else ("ledger.received_at < ?", (_utc(filed_before),))
        rows = await self._read(*_REPORT_DEADLINES.page(page, (deadlines.UNDECIDED, ()), filed))
        return [row_as(ReportDeadlineRow, row) for row in rows]


def _utc(moment: datetime) -> str:
    """``moment`` as the ledger writes ``received_at`` (ISO-8601 in UTC), to compare as text."""
    return moment.astimezone(UTC).isoformat()
