"""Planners for decisions on items (受理/审核) and for verification-task steps."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from certhub.hub.procedure.amendments import amendment_approved, amendment_for
from certhub.hub.procedure.before_closure import months_before, recovers_before
from certhub.hub.procedure.certified_dead import (
    certification_approved,
    held_released,
    upheld_remarks,
)
from certhub.hub.procedure.context import ProcedureContext, signer_of
from certhub.hub.procedure.found_dead import found_dead, found_dead_effects
from certhub.hub.procedure.found_in_prison import found_in_prison
from certhub.hub.procedure.intake import recheck_restoration
from certhub.hub.procedure.proposal_review import any_approved, any_rechecked, any_rejected
from certhub.hub.procedure.recovery import (
    months_in_force,
    overpayment_voided,
    write_off_decided,
)
from certhub.hub.procedure.register_suspension import suspension_approved
from certhub.hub.procedure.releases import release_refunds, sentence_paid
from certhub.hub.procedure.report_place import placed_task
from certhub.hub.procedure.restoration_proposals import voided_paid
from certhub.hub.procedure.reversals import (
    disappearance_ended,
    joined_to_termination,
    report_closed_by,
)
from certhub.hub.procedure.tasks import closed_by, extend, notice_write, task_effects, task_record
from certhub.hub.procedure.true_death import (
    months_elsewhere,
    superseded_closure,
    superseded_effects,
)
from certhub.hub.rules.decisions import (
    BACK_PAYING,
    FINAL,
    ItemKind,
    ItemState,
    ItemStatus,
    authenticated_actor,
    decide,
)
from certhub.hub.rules.disposal import Disposal, dispose, paid_after_sentence
from certhub.hub.rules.tasks import TaskRecord, advance
from certhub.hub.store.effects import (
    AuditWrite,
    BenefitClosure,
    Effects,
    HubRecord,
    ItemUpdate,
    MonthsClaim,
)
from certhub.hub.store.overpayment_effects import OverpaymentWrite
from certhub.hub.store.person_guard import CertifiedGuard, PersonGuard
from certhub.schemas import (
    AmendmentRecord,
    BenefitRecord,
    Decision,
    DecisionAction,
    EligibilityReport,
    Overpayment,
    RecoveryStatus,
    Refusal,
    Restoration,
    RestorationProposal,
    Suspension,
    SuspensionProposal,
    TaskStatus,
    TaskTransition,
    Termination,
    VerificationTask,
)
from certhub.security import VerifiedMessage


async def plan_decision(
    ctx: ProcedureContext,
    kind: ItemKind,
    item_id: int,
    message: VerifiedMessage,
    decision: Decision,
) -> Effects:
    """Apply the two-level rules to item ``item_id``; approval opens tasks or sends SMS."""
    if decision.subject_id != str(item_id):
        raise Refusal(
            "subject-mismatch", f"the decision names {decision.subject_id!r}, not {item_id}"
        )
    row = await ctx.store.get_item(item_id)
    if row is None or row.kind != kind:
        raise Refusal("item-not-found", f"no {kind} under review has id {item_id}")
    municipal = row.municipal
    guard = None  # an approval paying back on the roster read: refused if it changed meanwhile
    if kind is ItemKind.RESTORATION and decision.action is not DecisionAction.reject:
        guard, now_municipal = await _restoration_rechecked(ctx, item_id)  # every fact
        municipal = municipal or now_municipal
        guard = guard if decision.action is DecisionAction.approve else None
    rechecked = decision.action is not DecisionAction.reject and row.status not in FINAL
    checked = None  # a proposal's check, made once: its approval restores on it
    held = None  # an approval restoring on a certification: refused if it changed meanwhile
    if kind is ItemKind.RESTORATION_PROPOSAL and rechecked:  # decided: out of order, below
        if decision.action is DecisionAction.approve:  # back pay on the roster read
            guard, held = await _proposal_guard(ctx, item_id)
        checked = await any_rechecked(ctx, item_id)  # re-checks every fact
        municipal = municipal or checked[1].municipal
    filer = (await ctx.item_record(item_id)).sender if kind in BACK_PAYING else None
    state = (row.version, row.accepted_by, row.decided_by, municipal, filer)
    before = ItemState(item_id, ItemKind(row.kind), ItemStatus(row.status), *state)
    after = decide(before, decision, signer_of(message))
    update = ItemUpdate(item_id, row.version, after.status, after.accepted_by, after.decided_by)
    audit = AuditWrite(f"item_{after.status}", str(item_id), message.sender, message.digest)
    # A rejected restoration pays nothing: its months are free for a corrected request.
    rejected = after.status is ItemStatus.REJECTED
    released = (str(item_id),) if kind is ItemKind.RESTORATION and rejected else ()
    effects = Effects(
        item_update=update,
        audit=(audit,),
        release_months=released,
        person_guard=guard,
        certified_guard=held,
    )
    if after.status is ItemStatus.APPROVED:
        effects = await _on_approval(ctx, effects, kind, item_id)
    if kind is ItemKind.SUSPENSION and after.status is ItemStatus.APPROVED:
        held = await _certified_guard(ctx, item_id)  # read before the approval's own reads
        effects = replace(effects, certified_guard=held)
        effects = await suspension_approved(ctx, effects, item_id, decision)
    if kind is ItemKind.RESTORATION_PROPOSAL and after.status is ItemStatus.APPROVED:
        checked = checked or await any_rechecked(ctx, item_id)  # checked above
        effects = await any_approved(ctx, effects, item_id, decision, checked)
    if kind is ItemKind.RESTORATION_PROPOSAL and rejected:  # the termination stands again
        effects = await any_rejected(ctx, effects, item_id)
    if kind is ItemKind.TERMINATION_AMENDMENT and after.status is ItemStatus.APPROVED:
        effects = await amendment_approved(ctx, effects, item_id, decision)
    if kind is ItemKind.WRITE_OFF:
        money = await write_off_decided(ctx, item_id, after.status, decision.actor.id)
        effects = replace(effects, overpayment_change=money.overpayment_change)
        effects = extend(effects, outcomes=money.outcomes)
    if effects.closure_lifted is not None:  # the death reversed: what its standing held
        effects = await held_released(ctx, effects, effects.closure_lifted)
    return effects


async def _on_approval(
    ctx: ProcedureContext, effects: Effects, kind: ItemKind, item_id: int
) -> Effects:
    record = await ctx.item_record(item_id)
    if kind is ItemKind.CERTIFICATION:  # its SMS and uplink, unless held (certified_dead)
        return await certification_approved(ctx, effects, item_id, record)
    if kind is ItemKind.REPORT:
        report = EligibilityReport.model_validate_json(record.payload)
        # linked to the closed history (no task, no money effect), unless voided; a
        # death it dates in an earlier month opens an amendment for people to decide
        person = report.person.id_number
        closed = await report_closed_by(ctx, person)
        if closed is not None:
            source = AmendmentRecord(kind="report", id=str(item_id))
            at = ctx.clock()
            opened = await amendment_for(
                ctx, person, report.reason.value, report.event_date, source=source, at=at
            )
            action = "report_linked" if opened is None else "amendment_opened"
            link = AuditWrite(action, f"{item_id}>{closed}", "hub", record.sha256)
            effects = extend(effects, audit=(link,), outcomes=(opened,) if opened else ())
            # the same death, linked: the termination rests on this report too (money
            # safety); one that opened an amendment waits for that amendment's decision
            reason, source_id = report.reason.value, str(item_id)
            joined = {} if opened else await joined_to_termination(ctx, person, reason, source_id)
            return extend(effects, **joined)
        existing = await task_record(ctx, report.person.id_number, report.reason.value)
        task = await placed_task(ctx, existing, report, str(item_id), ctx.clock())
        if task is not None:
            return extend(effects, **task_effects(ctx, task, existing))
    if kind is ItemKind.RESTORATION:
        # Re-checked at this decision: a closure still here is a voided termination
        # (recheck_restoration refuses any other), so approving restores the benefit.
        restoration = Restoration.model_validate_json(record.payload)
        person = restoration.person.id_number
        closure = await ctx.store.closed_benefit(person)
        if closure is not None:
            lifted = BenefitClosure(person, *closure)
            decided = effects.audit[0]  # the approval's own link: same actor and digest
            audit = AuditWrite("closure_lifted", closure[1], decided.actor, decided.digest)
            # the pensioner was alive: what was recovered of the overpayment is refunded
            note = f"termination of task {closure[1]} voided; restoration {item_id} approved"
            money, _ = await overpayment_voided(ctx, closure[1], f"{note}: recovery stopped")
            effects = replace(
                effects, closure_lifted=lifted, overpayment_change=money.overpayment_change
            )
            paid = await voided_paid(ctx, person, closure[1], item_id, money)
            return extend(effects, audit=(audit,), outcomes=money.outcomes, months=paid)
        # the person was found: the months missing were owed, their overpayment is voided —
        # but those that were prison months are an imprisonment's to recover (found_in_prison)
        missing = await disappearance_ended(ctx, restoration)
        freed = await _voided_months(ctx, missing)
        # released: the months after the release month were payable, recovered no more
        effects = await release_refunds(ctx, effects, restoration, item_id, freed)
        if missing is not None:
            note = f"disappearance of task {missing} ended; restoration {item_id} approved"
            money, _ = await overpayment_voided(ctx, missing, f"{note}: recovery stopped")
            effects = replace(effects, overpayment_change=money.overpayment_change)
            paid = await voided_paid(ctx, person, missing, item_id, money)
            effects = extend(effects, outcomes=money.outcomes, months=paid)
            return await found_in_prison(
                ctx, effects, restoration, item_id, missing=missing, freed=freed
            )
    return effects


async def _voided_months(ctx: ProcedureContext, task_id: str | None) -> frozenset[str]:
    """The months task ``task_id``'s overpayment counts, about to be voided (none when it has
    none, or it is voided already)."""
    row = None if task_id is None else await ctx.store.get_overpayment(task_id)
    if task_id is None or row is None or row.status == RecoveryStatus.voided.value:
        return frozenset()
    return await months_in_force(ctx, task_id)


async def plan_transition(
    ctx: ProcedureContext, task_id: str, message: VerifiedMessage, step: TaskTransition
) -> Effects:
    """Move a verification task on; a confirmation disposes of the benefit."""
    if step.task_id != task_id:
        raise Refusal("subject-mismatch", f"the transition names {step.task_id!r}, not {task_id}")
    row = await ctx.store.get_task(task_id)
    if row is None:
        raise Refusal("task-not-found", f"no verification task {task_id!r}")
    record = TaskRecord(VerificationTask.model_validate_json(row.snapshot), row.version)
    role = authenticated_actor(step.actor, signer_of(message))
    task = advance(record, step, role)
    # read before the rest: refused at the write if the roster, the closure or a confirmed
    # task of the person changed meanwhile (a roster entry in flight: person_guard)
    confirming = task.status is TaskStatus.confirmed
    guard = await ctx.store.person_guard(task.person.id_number) if confirming else None
    # a task confirmed over the hub's voided termination supersedes it (true_death)
    superseded = await superseded_closure(ctx, task)
    closed = None if superseded else await closed_by(ctx, task.person.id_number)
    if task.status is TaskStatus.confirmed and closed is not None:
        # The benefit is terminated already: the finding is recorded, nothing is paid or
        # terminated again; an earlier cause's months are recovered once (before_closure).
        task = task.model_copy(update={"remarks": await upheld_remarks(ctx, task, closed)})
    effects = extend(Effects(person_guard=guard), **task_effects(ctx, task, record))
    effects = extend(
        effects, audit=(AuditWrite(f"task_{task.status}", task_id, message.sender, message.digest),)
    )
    if confirming and closed is not None and await recovers_before(ctx, task):
        event = step.event_date or await _reported_event_date(ctx, task)
        effects = await months_before(ctx, effects, task, step, event=event, actor=message.sender)
    if task.status is TaskStatus.confirmed and closed is None:
        person = task.person.id_number
        recovered, back_paid = await months_elsewhere(ctx, person, superseded)
        event_date = step.event_date or await _reported_event_date(ctx, task)
        # a missing person found dead was owed the months alive (found_dead)
        alive = None if superseded else await found_dead(ctx, task, event_date)
        if alive is not None:
            recovered, back_paid = recovered - alive[1], back_paid | alive[1]
        roster = await _roster(ctx, task)
        disposal = dispose(
            task,
            event_date=event_date,
            suspend_until=step.suspend_until,
            roster=roster,
            decided_by=step.actor,
            at=task.resolved_at or step.at,
            recovered=recovered,
            back_paid=back_paid,
        )
        effects = extend(effects, **_disposal_effects(ctx, task, disposal, message))
        months = disposal.recovered_months
        claim = MonthsClaim(person, "recovered", months, task.task_id) if months else None
        term = disposal.termination
        closure = BenefitClosure(person, term.reason, task.task_id) if term else None
        # paid after a stated end of sentence: payable, kept paid (a rewrite may hide them)
        until = step.suspend_until if disposal.suspension is not None else None
        served = paid_after_sentence(event_date, until, roster)
        paid = await sentence_paid(ctx, task.task_id, person, served)
        effects = replace(effects, months=((claim,) if claim else ()) + paid, closure=closure)
        if superseded is not None:
            effects = await superseded_effects(ctx, effects, superseded, task, message)
        if alive is not None:
            effects = await found_dead_effects(ctx, effects, alive, task)
    return effects


async def _restoration_rechecked(ctx: ProcedureContext, item_id: int) -> tuple[PersonGuard, bool]:
    """Re-check a restoration on today's facts: what it was checked on (the person's guard,
    read first) and whether it now needs municipal approval."""
    restoration = Restoration.model_validate_json((await ctx.item_record(item_id)).payload)
    guard = await ctx.store.person_guard(restoration.person.id_number)
    check = await recheck_restoration(ctx, restoration)
    return guard, check.municipal


async def _certified_guard(ctx: ProcedureContext, item_id: int) -> CertifiedGuard:
    """What the register holds of suspension proposal ``item_id``'s pensioner (due month,
    certification under review), read before the approval checks them: a certification
    committing before the approval refuses it (conflict), no one suspended who certified."""
    record = await ctx.item_record(item_id)
    return await _register_guard(ctx, SuspensionProposal.model_validate_json(record.payload))


async def _register_guard(
    ctx: ProcedureContext, proposal: SuspensionProposal | RestorationProposal
) -> CertifiedGuard:
    """The register's due month and certification under review of ``proposal``'s person."""
    person = proposal.person.id_number
    row = await ctx.store.register_person(person)
    pending = await ctx.store.certification_under_review(person)
    return CertifiedGuard(person, None if row is None else row.due_month, pending)


async def _proposal_guard(
    ctx: ProcedureContext, item_id: int
) -> tuple[PersonGuard, CertifiedGuard]:
    """The guards of restoration proposal ``item_id``'s person, read before its re-check: the
    person's, and the register's (its certification withdrawn meanwhile, a 免办 one voided:
    the approval refused, conflict; no back pay without proof of life)."""
    proposal = RestorationProposal.model_validate_json((await ctx.item_record(item_id)).payload)
    guard = await ctx.store.person_guard(proposal.person.id_number)
    return guard, await _register_guard(ctx, proposal)


def _disposal_effects(
    ctx: ProcedureContext, task: VerificationTask, disposal: Disposal, message: VerifiedMessage
) -> dict[str, tuple[object, ...]]:
    outcomes: list[HubRecord] = []
    audit: list[AuditWrite] = []
    # (model, audit action, message id); the first overpayment keeps its historic id and
    # further runs of months (paid again after an earlier recovery) get ":2", ":3", …
    named: list[tuple[Termination | Suspension | Overpayment, str, str]] = [
        (m, m.MESSAGE_TYPE.split("/")[0], f"{m.MESSAGE_TYPE.split('/')[0]}:{task.task_id}")
        for m in (disposal.termination, disposal.suspension)
        if m is not None
    ]
    for n, over in enumerate(disposal.overpayments, start=1):
        suffix = "" if n == 1 else f":{n}"
        named.append((over, "overpayment", f"overpayment:{task.task_id}{suffix}"))
    for model, action, message_id in named:
        outcomes.append(
            ctx.outcomes.record(
                model,
                message_id=message_id,
                person=task.person,
                reason=task.kind.value,
                at=ctx.clock(),
            )
        )
        audit.append(AuditWrite(action, task.task_id, message.sender, outcomes[-1].sha256))
    overs = disposal.overpayments
    overpayments = (
        ()
        if not overs
        else (
            OverpaymentWrite(
                task.task_id,
                task.person.id_number,
                task.person.region.county,
                outcomes[-len(overs)].period or "",
                sum(o.months for o in overs),
                str(sum((o.amount for o in overs), Decimal(0))),
            ),
        )
    )
    notices = () if disposal.notice is None else (notice_write(disposal.notice),)
    return {
        "outcomes": tuple(outcomes),
        "audit": tuple(audit),
        "overpayments": overpayments,
        "notices": notices,
    }


async def _reported_event_date(ctx: ProcedureContext, task: VerificationTask) -> date:
    """The earliest event date among the reports that raised the task."""
    dates = []
    for source in task.sources:
        record = await ctx.store.get_record(int(source)) if source.isdigit() else None
        if record is not None and record.message_type == EligibilityReport.MESSAGE_TYPE:
            dates.append(EligibilityReport.model_validate_json(record.payload).event_date)
    if not dates:
        raise Refusal("task-transition-invalid", "a confirmation must state the event_date")
    return min(dates)


async def _roster(ctx: ProcedureContext, task: VerificationTask) -> BenefitRecord | None:
    snapshot = await ctx.store.get_roster(task.person.id_number)
    return BenefitRecord.model_validate_json(snapshot) if snapshot else None
