"""Planners for pushed messages: reports, zero reports, certifications, restorations, roster."""

from __future__ import annotations

from pydantic import BaseModel

from hub.procedure.context import ProcedureContext, signer_of
from hub.store.effects import (
    NO_EFFECTS,
    AuditWrite,
    Effects,
    ItemOpen,
    RosterWrite,
    ZeroReportGuard,
)
from hub.workflow.decisions import ItemKind, authenticated_actor
from hub.workflow.refusals import Refusal
from hub.workflow.restoration import check_restoration
from schemas import (
    BenefitRecord,
    CertificationEvent,
    EligibilityReport,
    Restoration,
    Role,
    ZeroReport,
)
from schemas.certification import ASSISTED_METHODS
from security import VerifiedMessage

RESTORATION_REQUESTERS = frozenset({Role.town_staff, Role.county_reviewer})


async def plan_intake(
    ctx: ProcedureContext, message: VerifiedMessage, payload: BaseModel
) -> Effects:
    """The effects of a pushed message, by its canonical type."""
    if isinstance(payload, EligibilityReport):
        await ctx.require_evidence(payload.evidence)
        return Effects(item=ItemOpen(ItemKind.REPORT))
    if isinstance(payload, ZeroReport):
        unit = payload.region.village or payload.region.county
        return Effects(zero_report_guard=ZeroReportGuard(unit, payload.period))
    if isinstance(payload, CertificationEvent):
        await ctx.require_evidence(payload.evidence)
        assisted = payload.method in ASSISTED_METHODS
        return Effects(item=ItemOpen(ItemKind.CERTIFICATION)) if assisted else NO_EFFECTS
    if isinstance(payload, Restoration):
        return await _plan_restoration(ctx, message, payload)
    if isinstance(payload, BenefitRecord):
        return _plan_roster(message, payload)
    return NO_EFFECTS


async def _plan_restoration(
    ctx: ProcedureContext, message: VerifiedMessage, restoration: Restoration
) -> Effects:
    role = authenticated_actor(restoration.requested_by, signer_of(message))
    if role not in RESTORATION_REQUESTERS:
        raise Refusal("role-not-permitted", f"role {role.value!r} may not request a restoration")
    if restoration.account_change_evidence is not None:
        await ctx.require_evidence([restoration.account_change_evidence])
    snapshot = await ctx.store.get_roster(restoration.person.id_number)
    roster = BenefitRecord.model_validate_json(snapshot) if snapshot else None
    check = check_restoration(restoration, roster)
    return Effects(item=ItemOpen(ItemKind.RESTORATION, municipal=check.municipal))


def _plan_roster(message: VerifiedMessage, record: BenefitRecord) -> Effects:
    if signer_of(message).role is not Role.provincial_system:
        raise Refusal("role-not-permitted", "only the provincial system maintains the roster")
    write = RosterWrite(
        person_id=record.person.id_number,
        as_of=record.as_of.isoformat(),
        snapshot=message.payload,
    )
    audit = AuditWrite(
        "roster_updated", record.person.id_number[-4:], message.sender, message.digest
    )
    return Effects(roster=write, audit=(audit,))
