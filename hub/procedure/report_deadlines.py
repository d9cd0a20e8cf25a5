"""Reports of loss of eligibility under review, held to a deadline by the deadline sweep.

While a report about a person is filed or accepted and not decided, the
person's restorations are refused and their 免办 withheld; nothing else makes
anyone decide it. A report is to be decided within ``review_days`` of its
filing (the ledger's ``received_at``): :class:`ReportDeadlines` tells the
:class:`~certhub.hub.procedure.deadlines.DeadlineSweep` which reports are due a
reminder (to the level that decides next) or an escalation (to the level above),
and publishes how many are overdue. It reads; the sweep records; neither
decides or changes a report.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from certhub.hub.rules.deadlines import Due, report_addressee, stage_of
from certhub.hub.store import LedgerStore, PageQuery
from certhub.hub.store.base import ReportDeadlineRow
from certhub.monitoring.metrics import HubMetrics
from certhub.schemas import PersonRef, ReportDeadline, ReportReason

BATCH = 500


@dataclass(frozen=True, slots=True)
class ReportDeadlines:
    """The deadlines of the reports under review in ``store``: due ``review_days`` after
    filing, reminded ``reminder_days`` before."""

    store: LedgerStore
    reminder_days: int = field(kw_only=True)
    review_days: int = field(kw_only=True)

    def due_at(self, row: ReportDeadlineRow) -> datetime:
        """When the report of ``row`` is to be decided by."""
        return datetime.fromisoformat(row.filed_at) + timedelta(days=self.review_days)

    async def due(self, now: datetime) -> list[Due | None]:
        """A batch of reports due a reminder or an escalation at ``now`` (None: nothing due
        after all, or its record gone)."""
        span = timedelta(days=self.review_days)
        rows = await self.store.reports_due(
            remind_filed_by=now + timedelta(days=self.reminder_days) - span,
            escalate_filed_before=now - span,
            limit=BATCH,
        )
        return [await self._due(row, now) for row in rows]

    async def _due(self, row: ReportDeadlineRow, now: datetime) -> Due | None:
        due = self.due_at(row)
        stage = stage_of(due, now, row, reminder_days=self.reminder_days)
        record = await self.store.get_record(row.item_id)
        if stage is None or record is None or row.status not in ("received", "accepted"):
            return None
        person = PersonRef.model_validate(json.loads(record.payload)["person"])
        notice = ReportDeadline(
            item=str(row.item_id),
            reason=ReportReason(row.reason),
            person=person,
            status="received" if row.status == "received" else "accepted",
            stage=stage,
            addressed_to=report_addressee(stage, row.status),
            filed_at=datetime.fromisoformat(row.filed_at),
            due_at=due,
            at=now,
        )
        return Due("report", str(row.item_id), stage, notice, person, row.reason)

    async def publish(self, now: datetime, metrics: HubMetrics) -> None:
        """Set ``certhub_reports_under_review_overdue{reason}``: reports still undecided after
        their deadline at ``now``, every reason given a value (zero included)."""
        overdue: Counter[str] = Counter()
        after = 0
        while True:
            rows = await self.store.list_report_deadlines(
                PageQuery(after, BATCH), filed_before=now - timedelta(days=self.review_days)
            )
            overdue.update(row.reason for row in rows)
            if len(rows) < BATCH:
                break
            after = rows[-1].item_id
        gauge = metrics.reports_under_review_overdue
        for reason in ReportReason:
            gauge.labels(reason=reason.value).set(overdue.get(reason.value, 0))
