"""A certification ends the hub's suspension for non-certification → a restoration *proposal*.

The hub signs ``suspension/v1`` (``not_certified``) only on a register proposal the
county approved (:mod:`~certhub.hub.procedure.register_suspension`). When the
pensioner then certifies — the passed certification that moves the register's due
month past that proposal's: the app, the national platform, a bank terminal, a counter
or home visit once approved, the comparison's 免办 — the hub opens, in the same
transaction, a ``restoration_proposal/v1`` of that suspension (:func:`certified_proposal`;
``suspension`` names it and the certification, message id
``restoration-proposal:<the suspension's message id>``, so one per suspension, and one
more after people rejected it only once a withdrawn certification left the suspension
standing again: :func:`_unproposed`). Not for
a person whose benefit the hub terminated, nor while another suspension the hub decided
stands, nor once a restoration not rejected resumes payment after the suspension began
(staff restored it first).

It is decided like a voided termination's proposal, checked by the existing restoration
rules at each decision and signed on approval
(:mod:`~certhub.hub.procedure.proposal_review`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Final

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.register_suspension import cycle_proposal, suspension_message_id
from certhub.hub.procedure.reversals import hub_findings
from certhub.hub.rules.decisions import ItemKind, ItemStatus
from certhub.hub.rules.months import month_index, parse_month
from certhub.hub.rules.restoration import needs_municipal
from certhub.hub.store.effects import Effects, HubRecord, ItemOpen, Unrecorded
from certhub.schemas import (
    CertificationEvent,
    CertificationOutcome,
    RestorationProposal,
    Suspension,
    SuspensionReason,
)
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.schemas.restoration_proposal import CertifiedSince

__all__ = ["NOT_CERTIFIED", "certified_proposal"]

NOT_CERTIFIED: Final = SuspensionReason.not_certified
"""The hub's suspension for non-certification: the reason of the proposal a certification
opens and of the restoration either kind of proposal signs (the procedure's one name)."""


async def certified_proposal(
    ctx: ProcedureContext,
    effects: Effects,
    event: CertificationEvent,
    certification: str,
    at: datetime,
) -> Effects:
    """``effects`` with the proposal to restore the hub's suspension for non-certification
    that ``event`` (``certification``: its sender and message id) ends, opened as an item
    under review.

    None is opened when the event failed or does not move the due month past the suspended
    cycle's, no such suspension stands, it was proposed already, the hub terminated the
    benefit, another suspension the hub decided stands, or a restoration resumes payment
    after it. While the cycle's suspension proposal awaits the county (no suspension signed
    yet), ``effects`` must find it still unsigned at their commit (:func:`_unsigned`).
    """
    if event.outcome is not CertificationOutcome.certified:
        return effects
    person = event.person.id_number
    stopped = await _standing(ctx, person, event.occurred_at.astimezone(CHINA_STANDARD_TIME))
    if stopped is None or await ctx.store.closed_benefit(person) is not None:
        return effects
    message_id, suspension = stopped
    if suspension is None:
        return _unsigned(ctx, effects, message_id)
    proposal_id = await _unproposed(ctx, message_id)
    if proposal_id is None:
        return effects
    stopped_by = (message_id, suspension)
    record = await _proposal(
        ctx, event, stopped_by, proposal_id, certification=certification, at=at
    )
    return effects if record is None else replace(effects, outcomes=(*effects.outcomes, record))


def _unsigned(ctx: ProcedureContext, effects: Effects, suspension: str) -> Effects:
    """``effects`` refused at their commit (``conflict``) if the hub signed ``suspension``
    (its message id) meanwhile: the county approving the cycle's proposal while this
    certification is in flight, each planned without the other, both committed, suspended a
    pensioner who had just certified and proposed no restoration (238.00 a month stopped).
    Planned again, the certification proposes restoring it."""
    return replace(effects, absent=(*effects.absent, Unrecorded(ctx.outcomes.hub_id, suspension)))


async def _proposal(
    ctx: ProcedureContext,
    event: CertificationEvent,
    stopped: tuple[str, Suspension],
    proposal_id: str,
    *,
    certification: str,
    at: datetime,
) -> HubRecord | None:
    """The proposal ``proposal_id`` restoring the suspension ``stopped`` (message id, signed
    suspension); None when something else stands or staff restored it first."""
    message_id, suspension = stopped
    person = event.person.id_number
    findings = await hub_findings(ctx, person)
    if any(found.reason is not NOT_CERTIFIED for found in findings.suspensions):
        return None  # another cause stands: restoring it is staff's, once that ends
    began = suspension.effective_from
    if any(parse_month(m) > began for m in await ctx.store.counted_months(person, "resumed")):
        return None  # staff's restoration of it came first
    day = event.occurred_at.astimezone(CHINA_STANDARD_TIME).date()
    cited = re.sub(r"[^A-Za-z0-9_.:-]", "-", certification)[:128]
    # The suspension's person, as signed: a proposal (and the restoration its approval signs)
    # in the area that pulled the suspension, wherever the pensioner certified since.
    proposal = RestorationProposal(
        person=suspension.person,
        effective_from=began,
        suspension=CertifiedSince(
            suspension=message_id, reason=NOT_CERTIFIED, certification=cited, certified_on=day
        ),
        proposed_at=at,
        remarks=f"certified on {day.isoformat()} ({event.method.value}): alive, "
        f"the suspension for non-certification since {began.isoformat()} ended",
    )
    record = ctx.outcomes.record(
        proposal,
        message_id=proposal_id,
        person=suspension.person,
        reason=NOT_CERTIFIED.value,
        at=at,
    )
    municipal = needs_municipal(began, ctx.today())
    # once: a certification planned with it, committed after another's, is stored without it
    opened = ItemOpen(ItemKind.RESTORATION_PROPOSAL.value, municipal)
    return replace(record, item=opened, once=True)


async def _unproposed(ctx: ProcedureContext, suspension: str) -> str | None:
    """The message id a proposal of ``suspension`` (its message id) opens under:
    ``restoration-proposal:<suspension>``, or ``…:after:<sequence>`` after people rejected
    the one at that ledger sequence; None while one is open or approved.

    A rejected proposal's suspension stands again only when the certification it named
    stopped counting (a 免办 certification its department withdrew: the register's due
    month back in the suspended cycle); the certification that ends it then is new proof of
    life, for people to decide on again (before, none opened: the living pensioner stayed
    suspended until staff filed a restoration themselves)."""
    hub, message_id = ctx.outcomes.hub_id, f"restoration-proposal:{suspension}"
    while (found := await ctx.store.find(hub, message_id)) is not None:
        item = await ctx.store.get_item(found.sequence)
        if item is None or item.status != ItemStatus.REJECTED:
            return None
        message_id = f"restoration-proposal:{suspension}:after:{found.sequence}"
    return message_id


async def _standing(
    ctx: ProcedureContext, person: str, certified_at: datetime
) -> tuple[str, Suspension | None] | None:
    """The hub's suspension for non-certification of ``person`` (its message id) standing
    until a certification at ``certified_at``, which moves the due month past its cycle;
    the suspension None while the cycle's proposal is not approved (none signed yet)."""
    row = await ctx.store.register_person(person)
    if (
        row is None
        or row.due_month is None
        or month_index(certified_at.date()) + 12 <= row.due_month
    ):
        return None
    hub = ctx.outcomes.hub_id
    proposal = await cycle_proposal(ctx.store, hub, row.due_month, person)  # the latest
    if proposal is None:
        return None  # never proposed: nothing stopped payment
    message_id = suspension_message_id(proposal.sequence)
    signed = await ctx.store.find(hub, message_id)
    if signed is None:
        return message_id, None  # not approved (yet): nothing stopped payment
    return message_id, Suspension.model_validate_json(signed.payload)
