"""Helpers the planners share for verification tasks: a task's effects and deadline, the
open task of a person, what closed a benefit, a notice's write, and merging effects.

Used by the decision and task-step planners (:mod:`~certhub.hub.procedure.review`)
and the comparison's machine reporter (:mod:`~certhub.hub.procedure.comparison`).
"""

from __future__ import annotations

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.rules.deadlines import due_at
from certhub.hub.rules.notices import Notice
from certhub.hub.rules.tasks import TaskRecord
from certhub.hub.store import TaskRow
from certhub.hub.store.effects import DeadlineWrite, Effects, NoticeWrite, TaskWrite
from certhub.schemas import BenefitRecord, BenefitStatus, VerificationTask


async def closed_by(ctx: ProcedureContext, person_id: str) -> str | None:
    """What closed this person's benefit: the hub's own termination, or the roster's."""
    closed = await ctx.store.closed_benefit(person_id)
    if closed is not None:
        return f"{closed[0]}, task {closed[1]}"
    snapshot = await ctx.store.get_roster(person_id)
    if snapshot and BenefitRecord.model_validate_json(snapshot).status is BenefitStatus.terminated:
        return "the roster says terminated"
    return None


def task_effects(
    ctx: ProcedureContext, task: VerificationTask, existing: TaskRecord | None
) -> dict[str, tuple[object, ...]]:
    """The writes of a task's new state: its row, the hub-signed record, its deadline."""
    version = existing.version + 1 if existing else 0
    write = TaskWrite(
        task_id=task.task_id,
        person_id=task.person.id_number,
        kind=task.kind.value,
        status=task.status.value,
        county=task.person.region.county,
        village=task.person.region.village,
        snapshot=task.model_dump_json().encode(),
        expected_version=existing.version if existing else None,
    )
    outcome = ctx.outcomes.record(
        task,
        message_id=f"task:{task.task_id}:v{version}",
        person=task.person,
        reason=task.kind.value,
        at=ctx.clock(),
    )
    return {"tasks": (write,), "outcomes": (outcome,), "deadlines": _deadline(ctx, task, existing)}


def _deadline(
    ctx: ProcedureContext, task: VerificationTask, existing: TaskRecord | None
) -> tuple[DeadlineWrite, ...]:
    """A new task's deadline, or the moment a task was disposed of (once)."""
    if existing is None:
        due = due_at(task.opened_at, task.kind.value, ctx.deadline_days)
        return (
            DeadlineWrite(
                task.task_id,
                "open",
                task.opened_at.timestamp(),
                kind=task.kind.value,
                county=task.person.region.county,
                village=task.person.region.village,
                due_at=due.timestamp(),
            ),
        )
    if task.resolved_at is not None and existing.task.resolved_at is None:
        return (DeadlineWrite(task.task_id, "resolve", task.resolved_at.timestamp()),)
    return ()


def notice_write(notice: Notice) -> NoticeWrite:
    """The outbox write of an SMS notice."""
    return NoticeWrite(notice.notice_id, notice.person.id_number, notice.kind, notice.text)


async def task_record(ctx: ProcedureContext, person_id: str, kind: str) -> TaskRecord | None:
    """The person's open task of ``kind`` with its version, if any."""
    row: TaskRow | None = await ctx.store.find_open_task(person_id, kind)
    if row is None:
        return None
    return TaskRecord(VerificationTask.model_validate_json(row.snapshot), row.version)


def extend(effects: Effects, **more: tuple[object, ...]) -> Effects:
    """``effects`` with the tuples in ``more`` appended to its fields of the same name."""
    merged = {name: (*getattr(effects, name), *items) for name, items in more.items()}
    return Effects(**{**{f: getattr(effects, f) for f in effects.__slots__}, **merged})
