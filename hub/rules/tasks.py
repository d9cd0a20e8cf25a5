"""Verification tasks (待核实名单): opened by approved reports, handled one by one.

Lifecycle: ``open → in_progress → confirmed | cleared`` (``open`` may go
straight to a resolution). Only one task per person and kind is open at a
time; a second report about the same person and kind joins it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from certhub.schemas import (
    EligibilityReport,
    Refusal,
    ReportReason,
    Role,
    TaskDisposal,
    TaskKind,
    TaskStatus,
    TaskTransition,
    VerificationTask,
)

REPORT_TASK_KINDS: Final = {
    ReportReason.death: TaskKind.death,
    ReportReason.missing: TaskKind.missing,
    ReportReason.imprisonment: TaskKind.imprisonment,
    ReportReason.loss_of_nationality: TaskKind.loss_of_nationality,
    ReportReason.duplicate_receipt: TaskKind.duplicate_receipt,
}
"""Report reasons that open a task once approved (``other`` does not)."""

ALLOWED: Final = {
    TaskStatus.open: {TaskStatus.in_progress, TaskStatus.confirmed, TaskStatus.cleared},
    TaskStatus.in_progress: {TaskStatus.confirmed, TaskStatus.cleared},
}
WORKING_ROLES: Final = frozenset({Role.town_staff, Role.county_reviewer})
CONFIRMING_ROLES: Final = frozenset({Role.county_reviewer})
CLOCK_SKEW: Final = timedelta(seconds=300)
"""A step dated this much before the task opened is the sender's clock (or whole seconds)."""


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """A task's current state and the version that guards concurrent changes."""

    task: VerificationTask
    version: int


def task_for_report(
    existing: TaskRecord | None, report: EligibilityReport, report_id: str, now: datetime
) -> VerificationTask | None:
    """The task an approved report opens or joins; None for reasons without a task."""
    kind = REPORT_TASK_KINDS.get(report.reason)
    if kind is None:
        return None
    if existing is not None:
        current = existing.task
        sources = current.sources if report_id in current.sources else (*current.sources, report_id)
        evidence = (*current.evidence, *(e for e in report.evidence if e not in current.evidence))
        return _revalidated(current, {"sources": sources, "evidence": evidence})
    return VerificationTask(
        task_id=f"task-{report_id}",
        person=report.person,
        kind=kind,
        sources=(report_id,),
        evidence=report.evidence,
        opened_at=now,
    )


def advance(record: TaskRecord, step: TaskTransition, role: Role) -> VerificationTask:
    """The task after ``step``, or a Refusal when the move or the role is not allowed."""
    task = record.task
    if step.to_status not in ALLOWED.get(task.status, set()):
        raise Refusal(
            "task-transition-invalid",
            f"task {task.task_id} is {task.status}; it cannot go to {step.to_status}",
        )
    needed = CONFIRMING_ROLES if step.to_status is TaskStatus.confirmed else WORKING_ROLES
    if role not in needed:
        raise Refusal(
            "role-not-permitted", f"role {role.value!r} may not set a task {step.to_status}"
        )
    update: dict[str, object] = {"status": step.to_status, "assignee": step.actor}
    if step.to_status is not TaskStatus.in_progress:
        update |= {
            "resolved_at": resolved_at(task, step),
            "remarks": f"{step.method}: {step.outcome}",
        }
    if step.evidence:
        update["evidence"] = (*task.evidence, *(e for e in step.evidence if e not in task.evidence))
    if step.to_status is TaskStatus.confirmed:
        update["disposal"] = DISPOSAL_DEFAULTS[task.kind]
    return _revalidated(task, update)


def resolved_at(task: VerificationTask, step: TaskTransition) -> datetime:
    """When ``step`` resolves ``task``: its ``at``, never before the task opened.

    A client's clock may run behind the hub's by the allowed skew (and whole-second
    timestamps drop the fraction), so a step dated up to :data:`CLOCK_SKEW` before
    ``opened_at`` counts as at ``opened_at``; earlier than that is refused.
    """
    if step.at >= task.opened_at:
        return step.at
    if task.opened_at - step.at > CLOCK_SKEW:
        raise Refusal(
            "task-transition-invalid",
            f"the step is dated {step.at.isoformat()}, before task {task.task_id} opened "
            f"({task.opened_at.isoformat()})",
        )
    return task.opened_at


def _revalidated(task: VerificationTask, update: dict[str, object]) -> VerificationTask:
    """``task`` with ``update`` applied and every model rule checked again."""
    return VerificationTask.model_validate({**dict(task), **update})


# Confirmed kind -> what happens to the benefit (rule 6).
DISPOSAL_DEFAULTS: Final = {
    TaskKind.death: TaskDisposal.terminate,
    TaskKind.loss_of_nationality: TaskDisposal.terminate,
    TaskKind.duplicate_receipt: TaskDisposal.terminate,
    TaskKind.imprisonment: TaskDisposal.suspend,
    TaskKind.missing: TaskDisposal.suspend,
}
