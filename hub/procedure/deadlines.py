"""Keeps verification tasks and reports under review to their deadlines, once each.

Every minute the sweep finds open tasks, and reports of loss of eligibility
still under review (:mod:`~certhub.hub.procedure.report_deadlines`), that are
due a reminder or are past their deadline and records, for each, a
``task_deadline/v1`` or ``report_deadline/v1`` signed by the hub (pulled with
the other outcomes), with its audit link, marking the deadline's row in the
same transaction. A mark is made at most once: when two hub processes sweep at
the same moment, the second finds the row marked and its record is not stored.
It never decides anything itself. It also publishes how many are overdue.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from aiohttp import web

from certhub.hub.core.keys import LEADERSHIP, METRICS, PROCEDURE, SETTINGS, STORE
from certhub.hub.core.periodic import every
from certhub.hub.procedure import report_deadlines
from certhub.hub.procedure.outcomes import OutcomeSigner
from certhub.hub.rules.deadlines import (
    DEFAULT_DEADLINE_DAYS,
    REPORT_REVIEW_DAYS,
    Due,
    stage_of,
)
from certhub.hub.store import Conflict, DeadlineRow, LedgerStore, PageQuery, ReplayConflict
from certhub.hub.store.effects import AuditWrite, DeadlineWrite, Effects, no_receipt
from certhub.monitoring.metrics import HubMetrics
from certhub.schemas import TaskDeadline, VerificationTask

log = logging.getLogger(__name__)

BATCH = report_deadlines.BATCH


@dataclass(frozen=True, eq=False)  # a service: equal only to itself
class DeadlineSweep:
    """Reminds and escalates tasks and reports under review by their deadlines, once each.

    Sweeps ``store``, signs with ``outcomes``, publishes through ``metrics``;
    a task or report is reminded ``reminder_days`` before its deadline, and a report
    is due ``review_days`` after it was filed.
    """

    store: LedgerStore
    outcomes: OutcomeSigner
    metrics: HubMetrics
    reminder_days: int = field(kw_only=True)
    review_days: int = field(kw_only=True, default=REPORT_REVIEW_DAYS)

    @classmethod
    def of(cls, app: web.Application) -> DeadlineSweep:
        """The sweep of the hub ``app``: its ledger, outcome signer, metrics and settings."""
        return cls(
            app[STORE],
            app[PROCEDURE].outcomes,
            app[METRICS],
            reminder_days=app[SETTINGS].task_reminder_days,
            review_days=app[SETTINGS].report_review_days,
        )

    async def sweep(self, now: datetime) -> int:
        """Record every reminder and escalation due at ``now``; how many were recorded."""
        reports = report_deadlines.ReportDeadlines(
            self.store, reminder_days=self.reminder_days, review_days=self.review_days
        )
        recorded = await self._drain(partial(self._tasks_due, now), now)
        recorded += await self._drain(partial(reports.due, now), now)
        await self._publish(now)
        await reports.publish(now, self.metrics)
        return recorded

    async def _drain(
        self, batch: Callable[[], Awaitable[Sequence[Due | None]]], now: datetime
    ) -> int:
        """Record what ``batch`` finds due, batch after batch, until one records nothing."""
        recorded = 0
        while True:
            found = await batch()
            made = [await self._record(due, now) for due in found if due is not None]
            recorded += sum(made)
            if len(found) < BATCH or not any(made):
                return recorded

    async def _tasks_due(self, now: datetime) -> list[Due | None]:
        remind_from = now + timedelta(days=self.reminder_days)
        rows = await self.store.deadlines_due(
            remind_from=remind_from.timestamp(), now=now.timestamp(), limit=BATCH
        )
        return [await self._task_due(row, now) for row in rows]

    async def _task_due(self, row: DeadlineRow, now: datetime) -> Due | None:
        due = datetime.fromtimestamp(row.due_at, UTC)
        stage = stage_of(due, now, row, reminder_days=self.reminder_days)
        task_row = await self.store.get_task(row.task_id)
        if stage is None or task_row is None:
            return None
        task = VerificationTask.model_validate_json(task_row.snapshot)
        notice = TaskDeadline(
            task_id=row.task_id,
            kind=task.kind,
            person=task.person,
            stage=stage,
            addressed_to="county" if stage == "escalated" else "town",
            opened_at=task.opened_at,
            due_at=due,
            at=now,
        )
        return Due("task", row.task_id, stage, notice, task.person, task.kind.value)

    async def _record(self, due: Due, now: datetime) -> bool:
        """Sign ``due``'s notice and store it with its mark and audit link; False when another
        process marked it first (or the task or report was disposed of meanwhile)."""
        prefix = "deadline" if due.subject == "task" else "report-deadline"
        record = self.outcomes.record(
            due.notice,
            message_id=f"{prefix}:{due.key}:{due.stage}",
            person=due.person,
            reason=due.reason,
            at=now,
        )
        step = "escalate" if due.stage == "escalated" else "remind"
        action = f"{due.subject}_{'escalated' if due.stage == 'escalated' else 'reminded'}"
        effects = Effects(
            deadlines=(DeadlineWrite(due.key, step, now.timestamp(), subject=due.subject),),
            audit=(AuditWrite(action, due.key, self.outcomes.hub_id, record.sha256),),
        )
        try:
            made = await self.store.append(record.as_message(now), no_receipt, effects)
        except (Conflict, ReplayConflict):  # another process marked it first
            return False
        if not made.created:  # the same record, signed by another process at the same moment
            return False
        field = "task_id" if due.subject == "task" else "item_id"
        log.info("%s %s: %s", due.subject, due.key, action, extra={field: due.key})
        return True

    async def _publish(self, now: datetime) -> None:
        overdue: Counter[str] = Counter()
        after = ""
        while True:
            rows = await self.store.list_deadlines(
                PageQuery(after, BATCH), overdue_at=now.timestamp()
            )
            overdue.update(row.kind for row in rows)
            if len(rows) < BATCH:
                break
            after = rows[-1].task_id
        gauge = self.metrics.verification_tasks_overdue
        for kind in DEFAULT_DEADLINE_DAYS:  # every kind gets a value, zero included
            gauge.labels(kind=kind).set(overdue.get(kind, 0))

    async def sweep_now(self) -> None:
        """Sweep for the present moment."""
        await self.sweep(datetime.now(UTC))


async def deadline_context(app: web.Application) -> AsyncIterator[None]:
    """Sweep deadlines every minute for the life of the hub (processes that write)."""
    loop = partial(every, 60.0, DeadlineSweep.of(app).sweep_now, what="deadlines")
    async with app[LEADERSHIP].running("task-deadlines", loop):  # one process of the deployment
        yield
