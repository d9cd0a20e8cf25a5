"""The ledger side of task deadlines: when each task opened, is due, was reminded, resolved.

``task_deadlines`` holds one row per verification task, times as epoch
seconds (comparable and subtractable in SQL on both dialects: the time to
dispose of a task is ``resolved_at - opened_at``). Tasks opened before the
table existed are backfilled from their snapshots with the default days.

``report_deadlines`` holds only the marks of reports under review: a report's
deadline runs from its ledger row's ``received_at`` (the days set now), and
whether it is still undecided is its item's status, changed by each decision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from certhub.hub.rules.deadlines import DEFAULT_DEADLINE_DAYS
from certhub.hub.store.base import Conflict
from certhub.hub.store.effects import DeadlineWrite

if TYPE_CHECKING:  # tables imports this module
    from certhub.hub.store.tables import Dialect

DEADLINE_TABLE: Final = """
CREATE TABLE task_deadlines (
    task_id      {TEXT} PRIMARY KEY REFERENCES tasks (task_id),
    kind         {TEXT} NOT NULL,
    county       {TEXT} NOT NULL,
    village      {TEXT},
    opened_at    {REAL} NOT NULL,
    due_at       {REAL} NOT NULL,
    resolved_at  {REAL},
    reminded_at  {REAL},
    escalated_at {REAL}
);
CREATE INDEX task_deadlines_open ON task_deadlines (due_at) WHERE resolved_at IS NULL
"""
"""Schema step: the deadline of every task (``{…}`` are the dialect's type names)."""

_DAYS: Final = " ".join(
    f"WHEN '{kind}' THEN {days}" for kind, days in sorted(DEFAULT_DEADLINE_DAYS.items())
)
_EPOCH: Final[dict[Dialect, str]] = {
    "sqlite": "CAST(strftime('%s', json_extract(CAST(snapshot AS TEXT), '$.{field}')) AS REAL)",
    "postgres": "extract(epoch FROM (convert_from(snapshot, 'UTF8')::jsonb ->> '{field}')"
    "::timestamptz)::double precision",
}
DEADLINE_BACKFILL: Final[dict[Dialect, str]] = {
    dialect: (
        "INSERT INTO task_deadlines (task_id, kind, county, village, opened_at, due_at,"
        " resolved_at)"
        f" SELECT task_id, kind, county, village, {epoch.format(field='opened_at')},"
        f" {epoch.format(field='opened_at')} + 86400 * (CASE kind {_DAYS} ELSE 30 END),"
        f" {epoch.format(field='resolved_at')} FROM tasks"
    )
    for dialect, epoch in _EPOCH.items()
}
"""Tasks from before deadlines: the default days of their kind, resolved ones included."""

_OPEN: Final = (
    "INSERT INTO task_deadlines (task_id, kind, county, village, opened_at, due_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_RESOLVE: Final = (
    "UPDATE task_deadlines SET resolved_at = ? WHERE task_id = ? AND resolved_at IS NULL"
)
_MARK: Final = {
    "remind": "UPDATE task_deadlines SET reminded_at = ?"
    " WHERE task_id = ? AND reminded_at IS NULL AND resolved_at IS NULL",
    "escalate": "UPDATE task_deadlines SET escalated_at = ?"
    " WHERE task_id = ? AND escalated_at IS NULL AND resolved_at IS NULL",
}
REPORT_DEADLINE_TABLE: Final = """
CREATE TABLE report_deadlines (
    item_id      {BIGINT} PRIMARY KEY REFERENCES items (item_id),
    reminded_at  {REAL},
    escalated_at {REAL}
);
CREATE INDEX items_reports_undecided ON items (item_id)
    WHERE kind = 'report' AND status IN ('received', 'accepted')
"""
"""Schema step: when each report under review was reminded and escalated, and the undecided
reports by key (the sweep's and the list's, not a scan of every item)."""

UNDECIDED: Final = "items.kind = 'report' AND items.status IN ('received', 'accepted')"
"""The condition of a report under review (the partial index's, word for word)."""

_MARK_REPORT: Final = (
    "INSERT INTO report_deadlines (item_id, {column}) SELECT item_id, ? FROM items"
    f" WHERE item_id = ? AND {UNDECIDED}"
    " ON CONFLICT (item_id) DO UPDATE SET {column} = excluded.{column}"
    " WHERE report_deadlines.{column} IS NULL"
)
_REPORT_COLUMN: Final = {"remind": "reminded_at", "escalate": "escalated_at"}
SELECT_REPORTS: Final = (
    "SELECT ledger.sequence, ledger.reason, items.status, ledger.county, ledger.village,"
    " ledger.received_at, report_deadlines.reminded_at, report_deadlines.escalated_at"
    " FROM items JOIN ledger ON ledger.sequence = items.item_id"
    " LEFT JOIN report_deadlines ON report_deadlines.item_id = items.item_id"
)
"""Reports with their marks (the caller adds :data:`UNDECIDED`); ``received_at`` is
ISO-8601 in UTC, so a filing time compares as text."""

SELECT: Final = (
    "SELECT task_id, kind, county, village, opened_at, due_at, resolved_at, reminded_at,"
    " escalated_at FROM task_deadlines"
)


def statement(write: DeadlineWrite) -> tuple[str, tuple[object, ...], Conflict | None]:
    """The SQL of one deadline change, its parameters, and the refusal when a mark finds
    nothing to mark (another process reminded or escalated the task first)."""
    if write.subject == "report":
        refused = Conflict("conflict", f"report {write.task_id} was {write.step}ed or decided")
        sql = _MARK_REPORT.format(column=_REPORT_COLUMN[write.step])
        return sql, (write.at, int(write.task_id)), refused
    if write.step == "open":
        row = (write.task_id, write.kind, write.county, write.village, write.at, write.due_at)
        return _OPEN, row, None
    if write.step == "resolve":
        return _RESOLVE, (write.at, write.task_id), None
    refused = Conflict("conflict", f"task {write.task_id} was {write.step}ed meanwhile")
    return _MARK[write.step], (write.at, write.task_id), refused
