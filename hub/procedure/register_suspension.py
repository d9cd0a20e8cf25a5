"""The county approves a suspension proposal of the register: only then the hub suspends.

A proposal (``suspension_proposal/v1``) is never a suspension. When the county
approves one, the hub signs the ``suspension/v1`` (reason ``not_certified``,
from the day the pensioner became liable), decided by the approver, in the
same transaction as the decision. If the pensioner was certified after the
proposal (the register's due month moved on), the approval is refused: there
is nothing to suspend, and the county rejects the proposal instead. So it is
while a passed certification of the pensioner awaits review (counter, home
visit, social organisation: they count once approved): the county decides that
first — approved, nothing to suspend; rejected, the proposal may be approved.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.rules.decisions import ItemStatus
from certhub.hub.rules.months import month_index, month_label, parse_month
from certhub.hub.store import LedgerRecord, LedgerStore
from certhub.hub.store.effects import AuditWrite, Effects
from certhub.schemas import (
    Decision,
    Refusal,
    Suspension,
    SuspensionProposal,
    SuspensionReason,
)

__all__ = [
    "cycle_proposal",
    "proposal_message_id",
    "rejected_then_withdrawn",
    "restored_from",
    "suspension_approved",
    "suspension_message_id",
]


def proposal_message_id(due_month: int, person_id: str, after: int | None = None) -> str:
    """The hub's message id of the proposal to suspend ``person_id`` for cycle ``due_month``.

    One per person and due month: a rejected proposal is not made again for the cycle. One
    more (``after``: the ledger sequence of the one before) only once a restoration ended
    the suspension the one before made and the pensioner is overdue for the cycle again (the
    certification the restoration rested on withdrawn), or the one before was rejected and
    a certification after it withdrawn since (:func:`rejected_then_withdrawn`):
    :func:`cycle_proposal`.
    """
    who = hashlib.sha256(person_id.encode()).hexdigest()[:20]
    first = f"suspension-proposal:{month_label(due_month)}:{who}"
    return first if after is None else f"{first}:after:{after}"


async def cycle_proposal(
    store: LedgerStore, hub_id: str, due_month: int, person_id: str
) -> LedgerRecord | None:
    """The latest of the hub's proposals to suspend ``person_id`` for cycle ``due_month``
    (the first, then each made after the one before: :func:`proposal_message_id`)."""
    latest, message_id = None, proposal_message_id(due_month, person_id)
    while (found := await store.find(hub_id, message_id)) is not None:
        latest, message_id = found, proposal_message_id(due_month, person_id, found.sequence)
    return latest


async def restored_from(
    store: LedgerStore, hub_id: str, proposal: LedgerRecord, person_id: str
) -> str | None:
    """The first month (``YYYY-MM``) an approved restoration resumed payment in after the
    suspension ``proposal``'s approval made the hub sign; None when it made none (open,
    rejected) or nothing restored it."""
    signed = await store.find(hub_id, suspension_message_id(proposal.sequence))
    if signed is None:
        return None
    resumed = await store.resumed_after(person_id, signed.sequence)
    return min(resumed) if resumed else None


async def rejected_then_withdrawn(
    store: LedgerStore, proposal: LedgerRecord, person_id: str
) -> bool:
    """Whether ``proposal`` was rejected and a passed certification of ``person_id`` recorded
    after it, which counted, has been withdrawn since.

    Decided here (money safety: paid for ever on a proof of life its department withdrew):
    a certification after the proposal makes its approval ``conflict`` — the county must
    reject it —, so once that certification stops counting (a 免办 one whose records their
    department voided) the rejection rests on nothing and the cycle is proposed again, as
    when a restoration's certification is withdrawn. A rejection with no such withdrawal
    after the proposal stands for the cycle (the county's own judgement).
    """
    item = await store.get_item(proposal.sequence)
    if item is None or item.status != ItemStatus.REJECTED:
        return False
    return await store.certification_withdrawn_after(person_id, proposal.sequence) is not None


def suspension_message_id(item_id: int) -> str:
    """The hub's message id of the suspension it signs when proposal ``item_id`` is approved."""
    return f"suspension:proposal:{item_id}"


async def suspension_approved(
    ctx: ProcedureContext, effects: Effects, item_id: int, decision: Decision
) -> Effects:
    """``effects`` of the approval of proposal ``item_id`` with the hub's suspension added."""
    record = await ctx.item_record(item_id)
    proposal = SuspensionProposal.model_validate_json(record.payload)
    row = await ctx.store.register_person(proposal.person.id_number)
    proposed_due = month_index(parse_month(proposal.due_month))
    if row is not None and row.due_month is not None and row.due_month > proposed_due:
        raise Refusal(
            "conflict",
            f"the pensioner was certified after the proposal (due {month_label(row.due_month)}"
            " now): nothing to suspend; reject the proposal",
        )
    # wherever it was made: a counter of the county the pensioner lives in now, say
    pending = await ctx.store.certification_under_review(proposal.person.id_number)
    if pending is not None:
        raise Refusal(
            "conflict",
            f"certification {pending} of the pensioner is under review: decide it first "
            "(approved, there is nothing to suspend)",
        )
    suspension = Suspension(
        person=proposal.person,
        reason=SuspensionReason.not_certified,
        effective_from=proposal.liable_from,
        decided_by=decision.actor,
        decided_at=decision.decided_at,
        remarks=f"逾期未认证: cycle due {proposal.due_month}, proposal {item_id}",
    )
    outcome = ctx.outcomes.record(
        suspension,
        message_id=suspension_message_id(item_id),
        person=proposal.person,
        reason=SuspensionReason.not_certified.value,
        at=ctx.clock(),
    )
    audit = AuditWrite("suspension", str(item_id), decision.actor.id, outcome.sha256)
    return replace(effects, outcomes=(*effects.outcomes, outcome), audit=(*effects.audit, audit))
