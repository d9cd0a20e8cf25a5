"""Deciding a restoration proposal of either kind: a voided termination's, or the hub's
suspension for non-certification a certification ended
(:mod:`~certhub.hub.procedure.certified_restoration`).

The suspension's is decided like a voided termination's: town staff accept, the county
(the city once suspended more than 365 days) approves. At each decision the hub builds
the ``restoration/v1`` it would sign that day (:func:`restoration_today`: back pay from
the suspension's month, after the roster's ``paid_through``, to the month before the
decision's, payment resumed from its first day — this month, resumed the next, when the
suspension began in it) and checks it by the existing restoration rules
(:func:`~certhub.hub.procedure.intake.recheck_restoration`: the roster's suspension, an
open verification, another suspension cause, the months already counted). Only the
approval signs it and claims its months (:func:`any_approved`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from certhub.hub.procedure.certified_restoration import NOT_CERTIFIED
from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.intake import recheck_restoration
from certhub.hub.procedure.restoration_proposals import (
    approvals_of,
    proposal_approved,
    recheck_proposal,
    restoration_record,
    signed_restoration,
)
from certhub.hub.procedure.tasks import extend
from certhub.hub.rules.months import month_index, month_label, parse_month
from certhub.hub.rules.notices import (
    TERMINATION_PREFIX,
    FirstNotice,
    first_notice,
    standing_notice_id,
)
from certhub.hub.rules.restoration import ProposedRestoration
from certhub.hub.store.effects import AuditWrite, Effects, MonthsClaim, NoticeWrite
from certhub.hub.store.outbox_changes import WITHDRAWN
from certhub.schemas import (
    BenefitRecord,
    Decision,
    Refusal,
    Restoration,
    RestorationProposal,
)

__all__ = [
    "any_approved",
    "any_rechecked",
    "any_rejected",
    "certified_recheck",
    "restoration_today",
]

Checked = tuple[RestorationProposal, ProposedRestoration]
"""A proposal as checked at a decision, and what approving it restores."""


def restoration_today(
    proposal: RestorationProposal, roster: BenefitRecord | None, on: date
) -> tuple[Restoration, ProposedRestoration] | None:
    """The ``restoration/v1`` approving ``proposal`` ``on`` that day would sign, and its
    plan: the months after the roster's ``paid_through`` from the suspension's to the
    month before ``on``'s (payment resumed from its first day) — this month when the
    suspension began in it, resumed the next. None without a roster entry."""
    if roster is None:
        return None
    began = month_index(proposal.effective_from)
    start = max(began, month_index(parse_month(roster.paid_through)) + 1)
    end = max(start, month_index(on) - 1)
    plan = ProposedRestoration(
        restore_from=parse_month(month_label(end + 1)),
        back_paid=tuple(month_label(month) for month in range(start, end + 1)),
        monthly_amount=roster.monthly_amount,
        bank_account_on_file=roster.bank_account_on_file,
        municipal=False,  # the restoration rules decide it
    )
    return signed_restoration(proposal, plan, (), f"as of {on.isoformat()}", 0), plan


async def certified_recheck(ctx: ProcedureContext, proposal: RestorationProposal) -> Checked:
    """``proposal`` (of a suspension) checked on today's facts by the restoration rules, as
    the ``restoration/v1`` the hub would sign today (:func:`restoration_today`).

    Raises:
        Refusal: ``restoration-no-roster``, and whatever
            :func:`~certhub.hub.procedure.intake.recheck_restoration` refuses
            (``restoration-not-suspended``, ``restoration-other-suspension``,
            ``restoration-verification-open``, ``months-already-counted``, …).
    """
    snapshot = await ctx.store.get_roster(proposal.person.id_number)
    roster = BenefitRecord.model_validate_json(snapshot) if snapshot else None
    today = restoration_today(proposal, roster, ctx.today())
    if today is None:
        raise Refusal("restoration-no-roster", "the person has no roster entry")
    check = await recheck_restoration(ctx, today[0])
    return proposal, replace(today[1], back_paid=check.back_paid, municipal=check.municipal)


async def any_rechecked(ctx: ProcedureContext, item_id: int) -> Checked:
    """Restoration proposal ``item_id`` checked again on today's facts: a voided
    termination's (:func:`~certhub.hub.procedure.restoration_proposals.recheck_proposal`)
    or a suspension's (:func:`certified_recheck`)."""
    record = await ctx.item_record(item_id)
    proposal = RestorationProposal.model_validate_json(record.payload)
    if proposal.suspension is None:
        return await recheck_proposal(ctx, item_id)
    return await certified_recheck(ctx, proposal)


async def any_approved(
    ctx: ProcedureContext, effects: Effects, item_id: int, decision: Decision, checked: Checked
) -> Effects:
    """``effects`` of approving restoration proposal ``item_id``, of either kind: a
    suspension's signs the ``restoration/v1`` as ``checked`` at this decision and claims
    its months (back-paid, and the one payment resumes in)."""
    proposal, plan = checked
    if proposal.suspension is None:
        return await proposal_approved(ctx, effects, item_id, decision, checked)
    note = (
        f"{proposal.remarks or 'certified'}; restoration proposal {item_id} approved by "
        f"{decision.actor.id}: back pay {plan.back_paid[0]}..{plan.back_paid[-1]} = {plan.amount}"
    )
    approvals = await approvals_of(ctx, item_id, decision)
    signed = signed_restoration(proposal, plan, approvals, note, 0)
    outcome = restoration_record(ctx, signed, item_id, NOT_CERTIFIED.value)
    source, person = str(item_id), proposal.person.id_number
    resumes = (plan.restore_from.strftime("%Y-%m"),)
    months = (
        MonthsClaim(person, "back_paid", plan.back_paid, source),
        MonthsClaim(person, "resumed", resumes, source),
    )
    audit = AuditWrite("restoration", source, decision.actor.id, outcome.sha256)
    return extend(effects, outcomes=(outcome,), months=months, audit=(audit,))


async def any_rejected(ctx: ProcedureContext, effects: Effects, item_id: int) -> Effects:
    """``effects`` of rejecting restoration proposal ``item_id``: a voided termination's
    stands again, so the family's termination notice (``termination:<task>``, if the
    confirmation queued one) is queued again under an id of its own
    (:func:`~certhub.hub.rules.notices.standing_notice_id`, the same text) — unless the
    first was sent already. The senders send it only if the first was withdrawn — while
    the restoration was under review — and not if it was sent
    (:class:`~certhub.hub.delivery.notices.NoticesChecked`): the family of a pensioner truly
    dead is told to claim the funeral grant, once."""
    proposal = RestorationProposal.model_validate_json((await ctx.item_record(item_id)).payload)
    if proposal.suspension is not None or proposal.task_id is None:
        return effects
    first_id = TERMINATION_PREFIX + proposal.task_id
    first = await ctx.store.get_outbox(first_id)
    if first is None:  # no family notice: a duplicate entitlement's termination, say
        return effects
    if first_notice(await ctx.store.delivered_as(first_id), WITHDRAWN) is FirstNotice.SENT:
        return effects  # told before the void: nothing more (checked again when sent)
    body = json.loads(first.payload)
    again = NoticeWrite(
        standing_notice_id(proposal.task_id), body["person_id"], body["kind"], body["text"]
    )
    return extend(effects, notices=(again,))
