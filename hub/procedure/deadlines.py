"""Keeps verification tasks to their deadlines: reminds the town, escalates to the county.

Every minute the sweep finds open tasks that are due a reminder or are past
their deadline and records, for each, a ``task_deadline/v1`` signed by the
hub (pulled with the other outcomes), with its audit link, marking the task's
deadline row in the same transaction. A mark is made at most once: when two
hub processes sweep at the same moment, the second finds the row marked and
its record is not stored. It also publishes how many tasks are overdue.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from aiohttp import web

from certhub.hub.core.keys import LEADERSHIP, METRICS, PROCEDURE, SETTINGS, STORE
from certhub.hub.core.periodic import every
from certhub.hub.procedure.outcomes import OutcomeSigner
from certhub.hub.rules.deadlines import DEFAULT_DEADLINE_DAYS, stage_due
from certhub.hub.store import Conflict, DeadlineRow, LedgerStore, PageQuery, ReplayConflict
from certhub.hub.store.effects import AuditWrite, DeadlineWrite, Effects, no_receipt
from certhub.monitoring.metrics import HubMetrics
from certhub.schemas import TaskDeadline, VerificationTask

log = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True, eq=False)  # a service: equal only to itself
class DeadlineSweep:
    """Reminds and escalates tasks by their deadlines, once each.

    Sweeps ``store``, signs with ``outcomes``, publishes through ``metrics``;
    a task is reminded ``reminder_days`` before its deadline.
    """

    store: LedgerStore
    outcomes: OutcomeSigner
    metrics: HubMetrics
    reminder_days: int = field(kw_only=True)

    @classmethod
    def of(cls, app: web.Application) -> DeadlineSweep:
        """The sweep of the hub ``app``: its ledger, outcome signer, metrics and settings."""
        return cls(
            app[STORE],
            app[PROCEDURE].outcomes,
            app[METRICS],
            reminder_days=app[SETTINGS].task_reminder_days,
        )

    async def sweep(self, now: datetime) -> int:
        """Record every reminder and escalation due at ``now``; how many were recorded."""
        recorded = 0
        remind_from = now + timedelta(days=self.reminder_days)
        while True:
            rows = await self.store.deadlines_due(
                remind_from=remind_from.timestamp(), now=now.timestamp(), limit=BATCH
            )
            made = [await self._mark(row, now) for row in rows]
            recorded += sum(made)
            if len(rows) < BATCH or not any(made):
                break
        await self._publish(now)
        return recorded

    async def _mark(self, row: DeadlineRow, now: datetime) -> bool:
        due = datetime.fromtimestamp(row.due_at, UTC)
        stage = stage_due(
            due,
            now,
            reminder_days=self.reminder_days,
            reminded=row.reminded_at is not None,
            escalated=row.escalated_at is not None,
        )
        task_row = await self.store.get_task(row.task_id)
        if stage is None or task_row is None:
            return False
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
        record = self.outcomes.record(
            notice,
            message_id=f"deadline:{row.task_id}:{stage}",
            person=task.person,
            reason=task.kind.value,
            at=now,
        )
        step = "escalate" if stage == "escalated" else "remind"
        action = "task_escalated" if stage == "escalated" else "task_reminded"
        effects = Effects(
            deadlines=(DeadlineWrite(row.task_id, step, now.timestamp()),),
            audit=(AuditWrite(action, row.task_id, self.outcomes.hub_id, record.sha256),),
        )
        try:
            made = await self.store.append(record.as_message(now), no_receipt, effects)
        except (Conflict, ReplayConflict):  # another process marked it first
            return False
        if not made.created:  # the same record, signed by another process at the same moment
            return False
        log.info("task %s: %s", row.task_id, action, extra={"task_id": row.task_id})
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
    loop = partial(every, 60.0, DeadlineSweep.of(app).sweep_now, what="task deadlines")
    async with app[LEADERSHIP].running("task-deadlines", loop):  # one process of the deployment
        yield
