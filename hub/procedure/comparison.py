"""Planner for the hub's own comparison (``adapter:comparison``): its three kinds of message.

* a **certification** (免办) is planned as any department's certification,
  plus the SMS telling the pensioner they need do nothing — one per person
  and period, because the message id is; a *failed* one is a department's void
  of a record such a certification cites, which may withdraw it from the register
  (:mod:`~certhub.hub.procedure.exempt_withdrawn`);
* a **report** of direct evidence is checked by the machine-reporter rules
  (:mod:`certhub.hub.rules.comparison`) and opens the verification task at
  once, or joins the person's open task of that kind (from an earlier run or
  a coordinator's report) — never a second one; a person whose benefit is
  already closed gets no task, the report is linked to that history — unless the
  closure is the hub's termination found voided (the report opens a task, which
  holds its restoration back: :func:`~certhub.hub.procedure.reversals.report_closed_by`);
* a **clearing step** carries a department's void: the rule decides whether
  the task is cleared, kept, or — confirmed, terminated, and every record it
  rested on withdrawn — its termination is voided and a restoration proposed:
  a ``restoration_proposal/v1`` the hub signs, opened as an item under review
  (:mod:`~certhub.hub.procedure.restoration_proposals`), and the task, still
  confirmed, re-signed saying so. People decide it, never the machine; staff
  may still file a ``restoration/v1`` themselves — the same determination,
  :func:`~certhub.hub.procedure.reversals.voided_termination`, lets either
  through, and either approval lifts the closure.
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import BaseModel

from certhub.hub.procedure.amendment_undo import amendment_withdrawn
from certhub.hub.procedure.amendments import amendment_for, open_amendment_cites
from certhub.hub.procedure.context import ProcedureContext, signer_of
from certhub.hub.procedure.exempt_withdrawn import plan_exempt_void
from certhub.hub.procedure.found_dead import found_dead_undone
from certhub.hub.procedure.intake import plan_intake
from certhub.hub.procedure.restoration_proposals import proposal_message_id, proposal_record
from certhub.hub.procedure.reversals import (
    joined_to_termination,
    machine_sources,
    report_closed_by,
    rests_on,
    withdrawn_records,
)
from certhub.hub.procedure.tasks import (
    extend,
    notice_write,
    task_effects,
    task_record,
)
from certhub.hub.rules.comparison import (
    MACHINE_REPORTER,
    ReversalAction,
    check_grades,
    exempt_notice,
    machine_actor,
    reversal_action,
    withdrawn,
)
from certhub.hub.rules.parties import check_reporter
from certhub.hub.rules.tasks import TaskRecord, resolved_at, task_for_report
from certhub.hub.store.effects import AuditWrite, Effects
from certhub.schemas import (
    AmendmentRecord,
    CertificationEvent,
    CertificationOutcome,
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
    if isinstance(payload, CertificationEvent) and payload.outcome is CertificationOutcome.failed:
        return await plan_exempt_void(ctx, message, payload)  # a void of what one rests on
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
    closed = await report_closed_by(ctx, person)
    if closed is not None:  # no task on a closed benefit (not voided): it joins that history,
        # or — a death it dates in an earlier month — opens an amendment for people to decide
        source = AmendmentRecord(kind="machine_report", id=message.jti)
        opened = await amendment_for(
            ctx, person, report.reason.value, report.event_date, source=source, at=ctx.clock()
        )
        action = "report_linked" if opened is None else "amendment_opened"
        audit = AuditWrite(action, closed, message.sender, message.digest)
        effects = Effects(audit=(audit,), outcomes=(opened,) if opened else ())
        if opened is not None:
            return effects
        # the same death: the termination rests on this record too (a void of the others
        # leaves it standing)
        return extend(
            effects, **await joined_to_termination(ctx, person, report.reason.value, message.jti)
        )
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
    resting = await rests_on(ctx, record.task)  # its approved amendments' sources too
    machine = await machine_sources(ctx, resting)
    if not any((s.department, s.record_id) == voided for c in machine.values() for s in c):
        if not await open_amendment_cites(ctx, step.task_id, voided):
            raise Refusal(
                "task-transition-invalid",
                f"task {step.task_id} does not rest on {voided[0]}:{voided[1]}",
            )
        # The record of the amendment under review is withdrawn: the termination in force
        # does not rest on it, so nothing changes now — but the void is stored, so the
        # amendment's approval sees it and is refused (money safety: it would recover the
        # months between the two dates on a record its department withdrew).
        kept = AuditWrite(f"reversal_{ReversalAction.NONE}", step.task_id, message.sender,
                          message.digest)  # fmt: skip
        return Effects(audit=(kept,))
    closed = await ctx.store.closed_benefit(record.task.person.id_number)
    terminated = closed is not None and closed[1] == step.task_id
    # This void is not in the ledger yet: it joins those withdrawn before (the rest of
    # the determination is voided_termination's, which a restoration's checks use).
    voids = {voided, *await withdrawn_records(ctx, machine)}
    action = reversal_action(resting, voids, machine, terminated_by_task=terminated)
    audit = AuditWrite(f"reversal_{action}", step.task_id, message.sender, message.digest)
    if action is ReversalAction.PROPOSE_RESTORATION:
        # The task stays confirmed; its re-signed state tells staff (task list) and the
        # province (/v1/outcomes) that the termination is voided and a restoration is
        # proposed, an item for people to decide; only its approval restores.
        proposal = await proposal_record(ctx, record.task, voids, ctx.clock())
        remarks = (
            f"restoration proposed for review ({proposal_message_id(step.task_id)}, decided "
            f"at /v1/restoration-proposals/<item>/decisions): the termination is voided "
            f"({step.outcome})"
        )
        flagged = record.task.model_copy(update={"remarks": remarks[:1000]})
        effects = extend(Effects(audit=(audit,)), **task_effects(ctx, flagged, record))
        # a disappearance the termination found the person alive after owes again
        effects = await found_dead_undone(ctx, effects, record.task, message.sender)
        return extend(effects, outcomes=(proposal,)) if proposal else effects
    if action is ReversalAction.NONE and terminated:
        # the task's records stand; an approved amendment's record withdrawn moves the
        # death back to the date they support (its months recovered no more)
        # (and, dated later than the roster paid, the months owed to the estate back-paid)
        undone = await amendment_withdrawn(ctx, resting, machine, voids, message.sender)
        return replace(undone, audit=(audit, *undone.audit))
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
