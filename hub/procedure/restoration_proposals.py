"""A voided termination → a restoration *proposal* for people to decide; restored on approval.

When a department's void makes a termination voided (every record its task
rested on withdrawn, no person's report behind it —
:func:`~certhub.hub.procedure.reversals.voided_termination`), the comparison's
clearing step opens a ``restoration_proposal/v1`` the hub signs, as an item
under review (:func:`proposal_record`; once per task, its message id). Town
staff accept it; the county approves or rejects it — the municipal approver
once the termination took effect more than 365 days before the decision.
Every check runs again at each decision on the facts as they are then
(:func:`recheck_proposal`): the closure still the task's, the termination still
voided, the roster's entry — suspended, only when nothing else explains it (see
:func:`~certhub.hub.rules.restoration.propose_restoration`).

Only the approval (:func:`proposal_approved`) restores: the hub lifts its
closure (audit ``closure_lifted``), signs the ``restoration/v1`` of the months
unpaid (none, when the province never stopped paying: then no money message,
the closure is lifted all the same), claims those months in the ledger (a
staff-filed restoration of the same months is ``months-already-counted``) and the
decision's month as the one payment resumes in (a later restoration of the same
suspension back-pays nothing from it on),
voids the task's overpayment and refunds what was recovered of it
(:func:`~certhub.hub.procedure.recovery.overpayment_voided`), and re-signs the
task saying so — the province reads there that the termination is withdrawn.

Staff may file the proposal themselves (:func:`staff_proposal`): a proposal people
rejected is never proposed again by the hub, and when the province paid through the
current month a ``restoration/v1`` (at least one month of back pay) cannot lift the
closure. Their ``restoration_proposal/v1`` restates the hub's termination in force (an
approved amendment's, when one dated the death earlier) and is
checked and decided exactly as the hub's; approved with no month unpaid it lifts the
closure with no money message at all.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from certhub.hub.procedure.certified_restoration import NOT_CERTIFIED
from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.recovery import months_in_force, overpayment_voided
from certhub.hub.procedure.releases import paid_claims
from certhub.hub.procedure.reversals import (
    machine_sources,
    voided_termination,
    withdrawn_records,
)
from certhub.hub.procedure.task_series import termination_in_force
from certhub.hub.procedure.tasks import extend, task_effects
from certhub.hub.rules.comparison import machine_actor
from certhub.hub.rules.decisions import UNDER_REVIEW, ItemKind
from certhub.hub.rules.months import last_day_of_month, parse_month
from certhub.hub.rules.recovery import yuan
from certhub.hub.rules.restoration import (
    OtherCauses,
    ProposedRestoration,
    VoidedTermination,
    needs_municipal,
    propose_restoration,
)
from certhub.hub.rules.tasks import TaskRecord
from certhub.hub.store.effects import (
    AuditWrite,
    BenefitClosure,
    Effects,
    HubRecord,
    ItemOpen,
    MonthsClaim,
)
from certhub.schemas import (
    ActorRef,
    BenefitRecord,
    Decision,
    Refusal,
    Restoration,
    RestorationProposal,
    Role,
    VerificationTask,
)

__all__ = [
    "acceptor_of",
    "approvals_of",
    "proposal_approved",
    "proposal_message_id",
    "proposal_record",
    "recheck_proposal",
    "restoration_record",
    "signed_restoration",
    "staff_proposal",
    "voided_paid",
]

PROPOSERS = frozenset({Role.town_staff, Role.county_reviewer})
"""Who may file a restoration proposal: those who may request a restoration."""


def proposal_message_id(task_id: str) -> str:
    """One proposal per terminating task, whichever void and run made it."""
    return f"restoration-proposal:{task_id}"


async def proposal_record(
    ctx: ProcedureContext,
    task: VerificationTask,
    withdrawn: set[tuple[str, str]],
    at: datetime,
) -> HubRecord | None:
    """The proposal to restore ``task``'s voided termination, opened as an item under review.

    None when it was proposed already, or the hub cannot read its termination back
    (nothing is proposed on facts the hub cannot show).
    """
    hub = ctx.outcomes.hub_id
    if await ctx.store.find(hub, proposal_message_id(task.task_id)) is not None:
        return None
    found = await termination_in_force(ctx, task.task_id)
    if found is None:
        return None
    termination = found[1]  # an approved amendment's, when one dated the death earlier
    proposal = RestorationProposal(
        person=task.person,
        task_id=task.task_id,
        reason=termination.reason,
        event_date=termination.event_date,
        effective_from=termination.effective_from,
        withdrawn=tuple(f"{department}:{record}" for department, record in sorted(withdrawn)),
        proposed_at=at,
        remarks="the departments withdrew every record the termination rested on",
    )
    record = ctx.outcomes.record(
        proposal,
        message_id=proposal_message_id(task.task_id),
        person=task.person,
        reason=termination.reason.value,
        at=at,
    )
    municipal = needs_municipal(termination.effective_from, ctx.today())
    return replace(record, item=ItemOpen(ItemKind.RESTORATION_PROPOSAL.value, municipal))


async def staff_proposal(
    ctx: ProcedureContext, role: Role | None, proposal: RestorationProposal
) -> ItemOpen:
    """Staff's own proposal to restore a voided termination, checked as the hub's would be.

    Raises:
        Refusal: ``role-not-permitted`` — not town or county staff;
            ``restoration-not-suspended`` — the hub's closure is not the task's, or the
            termination is not voided; ``restoration-period-invalid`` — the proposal
            does not restate the hub's termination (reason, event date, effective date,
            the records withdrawn); ``conflict`` — the hub's own proposal of the task is
            still open (decide that one); and the checks of :func:`recheck_proposal`.
    """
    if role not in PROPOSERS:
        raise Refusal("role-not-permitted", f"role {role!r} may not propose a restoration")
    if proposal.suspension is not None:
        raise Refusal(
            "restoration-period-invalid",
            "staff restore a suspension with restoration/v1; only the hub proposes one",
        )
    task_id, person = _task_of(proposal), proposal.person.id_number
    closed = await ctx.store.closed_benefit(person)
    voided = await voided_termination(ctx, task_id) if closed and closed[1] == task_id else None
    signed = await termination_in_force(ctx, task_id)
    row = await ctx.store.get_task(task_id)
    if voided is None or signed is None or row is None:
        raise Refusal(
            "restoration-not-suspended",
            f"no voided termination of this person's benefit by task {task_id} is in force",
        )
    termination = signed[1]
    machine = await machine_sources(ctx, VerificationTask.model_validate_json(row.snapshot))
    withdrawn = await withdrawn_records(ctx, machine)
    facts = (
        termination.reason,
        termination.event_date,
        termination.effective_from,
        tuple(f"{department}:{record}" for department, record in sorted(withdrawn)),
    )
    stated = (proposal.reason, proposal.event_date, proposal.effective_from, proposal.withdrawn)
    if stated != facts:
        raise Refusal(
            "restoration-period-invalid",
            f"the proposal must restate the hub's termination by task {task_id}: reason "
            f"{facts[0].value}, event_date {facts[1].isoformat()}, effective_from "
            f"{facts[2].isoformat()}, withdrawn {', '.join(facts[3])}",
        )
    hubs = await ctx.store.find(ctx.outcomes.hub_id, proposal_message_id(task_id))
    item = await ctx.store.get_item(hubs.sequence) if hubs else None
    if item is not None and item.status in UNDER_REVIEW:
        raise Refusal(
            "conflict",
            f"the hub's proposal {item.item_id} of task {task_id} is still open: decide it",
        )
    plan = await _restored_today(ctx, *voided, person)
    return ItemOpen(ItemKind.RESTORATION_PROPOSAL.value, plan.municipal)


async def recheck_proposal(
    ctx: ProcedureContext, item_id: int
) -> tuple[RestorationProposal, ProposedRestoration]:
    """Proposal ``item_id`` checked again on today's facts: what approving it restores.

    Raises:
        Refusal: ``conflict`` — the hub's closure by the task is gone (lifted by a
            restoration staff filed, say): nothing is left to restore, reject the
            proposal — or an amendment moved the termination after the proposal restated
            it; ``restoration-not-suspended`` — no longer voided;
            ``restoration-other-suspension`` — the roster says suspended and something
            else may explain it; ``restoration-no-roster``.
    """
    record = await ctx.item_record(item_id)
    proposal = RestorationProposal.model_validate_json(record.payload)
    person, task_id = proposal.person.id_number, _task_of(proposal)
    closed = await ctx.store.closed_benefit(person)
    if closed is None or closed[1] != task_id:
        raise Refusal(
            "conflict",
            f"the hub's termination by task {proposal.task_id} is no longer in force: "
            "nothing to restore; reject the proposal",
        )
    voided = await voided_termination(ctx, task_id)
    if voided is None:
        raise Refusal(
            "restoration-not-suspended",
            f"the termination by task {proposal.task_id} is no longer voided",
        )
    in_force = voided[0].effective_from
    if proposal.effective_from != in_force:  # an amendment approved after it was proposed
        raise Refusal(
            "conflict",
            f"the termination by task {proposal.task_id} was amended to {in_force.isoformat()} "
            "after this proposal: reject it; staff may propose restoring the amended one",
        )
    return proposal, await _restored_today(ctx, *voided, person)


async def _restored_today(
    ctx: ProcedureContext, voided: VoidedTermination, others: OtherCauses, person: str
) -> ProposedRestoration:
    """What restoring ``voided`` pays back today, on the roster as it is now and the
    ``others`` causes read with it."""
    snapshot = await ctx.store.get_roster(person)
    roster = BenefitRecord.model_validate_json(snapshot) if snapshot else None
    return propose_restoration(voided, roster, on=ctx.today(), others=others)


async def proposal_approved(
    ctx: ProcedureContext,
    effects: Effects,
    item_id: int,
    decision: Decision,
    checked: tuple[RestorationProposal, ProposedRestoration],
) -> Effects:
    """``effects`` of approving proposal ``item_id`` with the restoration added, as
    ``checked`` at this decision (:func:`recheck_proposal`: made once per decision)."""
    proposal, plan = checked
    person, task_id, reason = proposal.person.id_number, _task_of(proposal), _reason(proposal)
    note = (
        f"termination of task {task_id} voided ({', '.join(proposal.withdrawn)} withdrawn); "
        f"restoration proposal {item_id} approved by {decision.actor.id}"
    )
    money, refund = await overpayment_voided(ctx, task_id, f"{note}: recovery stopped, refunded")
    outcomes: list[HubRecord] = list(money.outcomes)
    # Payment resumes in the decision's month, back pay or none: no later restoration of
    # this suspension back-pays it again (check_resumed).
    resumes = (plan.restore_from.strftime("%Y-%m"),)
    months: tuple[MonthsClaim, ...] = (MonthsClaim(person, "resumed", resumes, str(item_id)),)
    months += await voided_paid(ctx, person, task_id, item_id, money)
    said = "no month unpaid, no back pay"
    if plan.back_paid:
        approvals = await approvals_of(ctx, item_id, decision)
        filed = await ctx.item_record(item_id)  # the hub's proposal, or staff's own
        requester = None if filed.sender == ctx.outcomes.hub_id else acceptor_of(ctx, filed.sender)
        # Signed about the person as the termination in force names them: in the area that
        # pulled the termination, whatever region staff's own proposal names.
        signed = await termination_in_force(ctx, task_id)
        restored = proposal.model_copy(update={"person": signed[1].person}) if signed else proposal
        restoration = signed_restoration(restored, plan, approvals, note, refund)
        if requester is not None:
            restoration = restoration.model_copy(update={"requested_by": requester})
        outcomes.append(restoration_record(ctx, restoration, item_id, reason))
        months += (MonthsClaim(person, "back_paid", plan.back_paid, str(item_id)),)
        said = f"back pay {plan.back_paid[0]}..{plan.back_paid[-1]} = {plan.amount}"
    lifted = BenefitClosure(person, reason, task_id)
    decided = effects.audit[0]  # the approval's own link: same actor and digest
    audit = AuditWrite("closure_lifted", task_id, decided.actor, decided.digest)
    effects = replace(effects, closure_lifted=lifted, overpayment_change=money.overpayment_change)
    effects = extend(effects, outcomes=tuple(outcomes), months=months, audit=(audit,))
    row = await ctx.store.get_task(task_id)
    if row is None:
        return effects
    task = TaskRecord(VerificationTask.model_validate_json(row.snapshot), row.version)
    remarks = f"{note}: the termination is withdrawn, the benefit restored ({said}"
    remarks += f"; {yuan(refund)} recovered is refunded)" if refund else ")"
    told = task.task.model_copy(update={"remarks": remarks[:1000]})
    return extend(effects, **task_effects(ctx, told, task))


def signed_restoration(
    proposal: RestorationProposal,
    plan: ProposedRestoration,
    approvals: tuple[ActorRef, ...],
    note: str,
    refund_cents: int,
) -> Restoration:
    """The restoration the hub signs on a proposal's approval: the months unpaid, to the
    account on file."""
    return Restoration(
        person=proposal.person,
        suspended_since=proposal.effective_from,
        restore_from=plan.restore_from,
        back_pay_from=parse_month(plan.back_paid[0]),
        back_pay_to=last_day_of_month(parse_month(plan.back_paid[-1])),
        monthly_amount=plan.monthly_amount,
        back_pay_amount=plan.amount,
        bank_account=None,  # the account on file: the hub knows only its masked form
        bank_account_on_file=plan.bank_account_on_file,
        requested_by=machine_actor(),
        requested_at=proposal.proposed_at,
        approvals=approvals,
        remarks=(
            f"{note}; overpayment refund {yuan(refund_cents)} signed apart (overpayment voided)"
            if refund_cents
            else note
        )[:1000],
    )


def restoration_record(
    ctx: ProcedureContext, restoration: Restoration, item_id: int, reason: str
) -> HubRecord:
    """``restoration`` signed by the hub on approving proposal ``item_id``, of either kind
    (``reason``: the voided termination's, or ``not_certified``): one per proposal."""
    return ctx.outcomes.record(
        restoration,
        message_id=f"restoration:proposal:{item_id}",
        person=restoration.person,
        reason=reason,
        at=ctx.clock(),
    )


async def approvals_of(
    ctx: ProcedureContext, item_id: int, decision: Decision
) -> tuple[ActorRef, ...]:
    """Who approved proposal ``item_id``, in order: the staff who accepted it (when the
    trust store names their role), then ``decision``'s approver."""
    item = await ctx.store.get_item(item_id)
    accepted = acceptor_of(ctx, item.accepted_by if item else None)
    return (accepted, decision.actor) if accepted else (decision.actor,)


def _task_of(proposal: RestorationProposal) -> str:
    """The task whose termination ``proposal`` restores (a suspension's names none)."""
    if proposal.task_id is None:
        raise Refusal("conflict", "this proposal restores a suspension, not a termination")
    return proposal.task_id


def _reason(proposal: RestorationProposal) -> str:
    """Why the termination ``proposal`` restores was made (death, …)."""
    return (proposal.reason or NOT_CERTIFIED).value


def acceptor_of(ctx: ProcedureContext, actor_id: str | None) -> ActorRef | None:
    """The staff who accepted an item, in their trust-store role (the item names the id)."""
    party = ctx.parties(actor_id) if actor_id else None
    if party is None or party.role is None:
        return None
    return ActorRef(id=party.sender, role=party.role)


async def voided_paid(
    ctx: ProcedureContext, person: str, task_id: str, item_id: int, money: Effects
) -> tuple[MonthsClaim, ...]:
    """The months task ``task_id``'s overpayment counted, voided by approving restoration
    (or proposal) ``item_id`` (``money``): a voided termination's or a disappearance's —
    owed, and paid all the same: claimed as paid by it
    (:func:`~certhub.hub.procedure.releases.paid_claims`)."""
    if money.overpayment_change is None:
        return ()
    return await paid_claims(ctx, person, await months_in_force(ctx, task_id), item_id)
