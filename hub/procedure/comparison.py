"""Planner for the hub's own comparison (``adapter:comparison``): its three kinds of message.

* a **certification** (免办) is planned as any department's certification,
  plus the SMS telling the pensioner they need do nothing — one per person
  and period, because the message id is;
* a **report** of direct evidence is checked by the machine-reporter rules
  (:mod:`certhub.hub.rules.comparison`) and opens the verification task at
  once, or joins the person's open task of that kind (from an earlier run or
  a coordinator's report) — never a second one; a person whose benefit is
  already closed gets no task, the report is linked to that history;
* a **clearing step** carries a department's void: the rule decides whether
  the task is cleared, kept, or — confirmed and terminated — a restoration is
  proposed to a person (the task, still confirmed, is re-signed with the
  proposal in its remarks, so staff and the province see it; the restoration
  itself is filed and approved by staff, never by the machine).
"""

from __future__ import annotations

from pydantic import BaseModel

from certhub.hub.procedure.context import ProcedureContext, signer_of
from certhub.hub.procedure.intake import plan_intake
from certhub.hub.procedure.tasks import (
    closed_by,
    extend,
    notice_write,
    task_effects,
    task_record,
)
from certhub.hub.rules.comparison import (
    MACHINE_REPORTER,
    ReversalAction,
    SourceRecord,
    check_grades,
    cited,
    exempt_notice,
    machine_actor,
    reversal_action,
    void_message_id,
    withdrawn,
)
from certhub.hub.rules.parties import check_reporter
from certhub.hub.rules.tasks import TaskRecord, resolved_at, task_for_report
from certhub.hub.store.effects import AuditWrite, Effects
from certhub.schemas import (
    CertificationEvent,
    EligibilityReport,
    Refusal,
    TaskStatus,
    TaskTransition,
    VerificationTask,
)
from certhub.security import VerifiedMessage

__all__ = ["plan_comparison"]


async def plan_comparison(
    ctx: ProcedureContext, message: VerifiedMessage, payload: BaseModel
) -> Effects:
    """The effects of one message of the comparison, by its canonical type."""
    if message.sender != MACHINE_REPORTER:  # wired for the comparison's ingestor only
        raise Refusal("forged-role", f"{message.sender!r} is not the hub's comparison")
    if isinstance(payload, CertificationEvent):
        effects = await plan_intake(ctx, message, payload)
        notice = notice_write(exempt_notice(payload, message.jti))
        return extend(effects, notices=(notice,))
    if isinstance(payload, EligibilityReport):
        return await _plan_report(ctx, message, payload)
    if isinstance(payload, TaskTransition):
        return await _plan_void(ctx, message, payload)
    raise Refusal("type-not-expected", f"the comparison does not send {type(payload).__name__}")


async def _plan_report(
    ctx: ProcedureContext, message: VerifiedMessage, report: EligibilityReport
) -> Effects:
    check_reporter(report.reporter, signer_of(message), ctx.parties)
    check_grades(report)
    person = report.person.id_number
    closed = await closed_by(ctx, person)
    if closed is not None:  # no task on a closed benefit: the report joins that history
        return Effects(audit=(AuditWrite("report_linked", closed, message.sender, message.digest),))
    existing = await task_record(ctx, person, report.reason.value)
    task = task_for_report(existing, report, message.jti, ctx.clock())
    if task is None:
        raise Refusal("schema-violation", f"reason {report.reason.value!r} opens no task")
    action = "task_joined" if existing else "task_opened"
    effects = extend(Effects(), **task_effects(ctx, task, existing))
    audit = AuditWrite(action, task.task_id, message.sender, message.digest)
    return extend(effects, audit=(audit,))


async def _plan_void(
    ctx: ProcedureContext, message: VerifiedMessage, step: TaskTransition
) -> Effects:
    voided = withdrawn(step.outcome)
    if step.to_status is not TaskStatus.cleared or voided is None:
        raise Refusal(
            "task-transition-invalid", "the comparison only clears on a department's void"
        )
    row = await ctx.store.get_task(step.task_id)
    if row is None:
        raise Refusal("task-not-found", f"no verification task {step.task_id!r}")
    record = TaskRecord(VerificationTask.model_validate_json(row.snapshot), row.version)
    machine = await _machine_sources(ctx, record.task)
    if not any((s.department, s.record_id) == voided for c in machine.values() for s in c):
        raise Refusal(
            "task-transition-invalid",
            f"task {step.task_id} does not rest on {voided[0]}:{voided[1]}",
        )
    closed = await ctx.store.closed_benefit(record.task.person.id_number)
    terminated = closed is not None and closed[1] == step.task_id
    withdrawn_before = {
        (s.department, s.record_id)
        for c in machine.values()
        for s in c
        if await ctx.store.find(MACHINE_REPORTER, void_message_id(s.department, s.record_id))
    }
    voids = {voided, *withdrawn_before}
    action = reversal_action(record.task, voids, machine, terminated_by_task=terminated)
    audit = AuditWrite(f"reversal_{action}", step.task_id, message.sender, message.digest)
    if action is ReversalAction.PROPOSE_RESTORATION:
        # The task stays confirmed; its re-signed state tells staff (task list) and the
        # province (/v1/outcomes) that a restoration is to be filed and approved by people.
        remarks = f"restoration proposed, to be filed and approved by staff: {step.outcome}"
        flagged = record.task.model_copy(update={"remarks": remarks[:1000]})
        return extend(Effects(audit=(audit,)), **task_effects(ctx, flagged, record))
    if action is not ReversalAction.CLEAR:
        return Effects(audit=(audit,))
    task = record.task.model_copy(
        update={
            "status": TaskStatus.cleared,
            "assignee": machine_actor(),
            "resolved_at": resolved_at(record.task, step),
            "remarks": f"{step.method}: {step.outcome}",
        }
    )
    task = VerificationTask.model_validate(task.model_dump())  # every model rule again
    return extend(Effects(audit=(audit,)), **task_effects(ctx, task, record))


async def _machine_sources(
    ctx: ProcedureContext, task: VerificationTask
) -> dict[str, tuple[SourceRecord, ...]]:
    """For each of the task's sources that is a machine report, the records it cited."""
    found: dict[str, tuple[SourceRecord, ...]] = {}
    for source in task.sources:
        if source.isdigit():  # an item id: a person's report
            continue
        record = await ctx.store.find(MACHINE_REPORTER, source)
        if record is not None:
            found[source] = cited(EligibilityReport.model_validate_json(record.payload).remarks)
    return found
