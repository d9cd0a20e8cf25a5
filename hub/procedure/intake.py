"""Planners for pushed messages: reports, zero reports, certifications, restorations (and
staff's restoration proposals), roster."""

from __future__ import annotations

import re
from dataclasses import replace

from pydantic import BaseModel

from certhub.hub.procedure.certified_dead import held_on_arrival
from certhub.hub.procedure.certified_restoration import certified_proposal
from certhub.hub.procedure.context import ProcedureContext, signer_of
from certhub.hub.procedure.late_roster import late_payments
from certhub.hub.procedure.register_entry import register_entry, roster_columns
from certhub.hub.procedure.restoration_proposals import staff_proposal
from certhub.hub.procedure.restoration_region import check_restoration_region
from certhub.hub.procedure.reversals import hub_findings, voided_termination
from certhub.hub.procedure.uplink import uplink_delivery
from certhub.hub.rules.decisions import ItemKind, authenticated_actor
from certhub.hub.rules.parties import check_certifier, check_reporter
from certhub.hub.rules.restoration import NOTHING_FOUND, RestorationCheck, check_restoration
from certhub.hub.rules.restoration_findings import check_not_back_paid_after, check_release
from certhub.hub.store.effects import (
    NO_EFFECTS,
    AuditWrite,
    Effects,
    EvidenceBinding,
    ItemOpen,
    MonthsClaim,
    RosterWrite,
    ZeroReportGuard,
)
from certhub.schemas import (
    BenefitRecord,
    CertificationEvent,
    CertificationMethod,
    CertificationOutcome,
    EligibilityReport,
    EvidenceKind,
    Refusal,
    Restoration,
    RestorationProposal,
    Role,
    ZeroReport,
)
from certhub.schemas.certification import ASSISTED_METHODS
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.security import VerifiedMessage

RESTORATION_REQUESTERS = frozenset({Role.town_staff, Role.county_reviewer})
E_ID_METHODS = frozenset({CertificationMethod.counter, CertificationMethod.home_visit})
PERSONAL_EVIDENCE = frozenset({EvidenceKind.id_image, EvidenceKind.onsite_photo})
"""Evidence of who was there: it certifies one person only."""
REPORT_OPENED = Effects(item=ItemOpen(ItemKind.REPORT))
"""A report's effects: one frozen value for every report (the busiest push: building the
22-field value anew cost ≈ 4.5 µs a report)."""


async def plan_intake(
    ctx: ProcedureContext, message: VerifiedMessage, payload: BaseModel
) -> Effects:
    """The effects of a pushed message, by its canonical type."""
    # A department feed (ministry, banks) cites evidence it keeps itself — biometric
    # images never leave it; the hub records the digests. Everyone else uploads first,
    # and so does a department for staff-assisted certifications (counter, home visit,
    # social organisation): their ID image and on-site photo are kept by the hub (rule 4).
    department = signer_of(message).role is Role.department
    if isinstance(payload, EligibilityReport):
        check_reporter(payload.reporter, signer_of(message), ctx.parties)
        if not department:
            await ctx.require_evidence(payload.evidence)
        return REPORT_OPENED
    if isinstance(payload, ZeroReport):
        check_reporter(payload.reporter, signer_of(message), ctx.parties)
        unit = payload.region.village or payload.region.county
        return Effects(zero_report_guard=ZeroReportGuard(unit, payload.period))
    if isinstance(payload, CertificationEvent):
        held_elsewhere = department and payload.method not in ASSISTED_METHODS
        return await _plan_certification(ctx, message, payload, held_elsewhere=held_elsewhere)
    if isinstance(payload, Restoration | RestorationProposal):
        return await _plan_restoration(ctx, message, payload)
    if isinstance(payload, BenefitRecord):
        return await _plan_roster(ctx, message, payload)
    return NO_EFFECTS


async def _plan_certification(
    ctx: ProcedureContext,
    message: VerifiedMessage,
    event: CertificationEvent,
    *,
    held_elsewhere: bool,
) -> Effects:
    check_certifier(event, signer_of(message), ctx.parties)
    if not held_elsewhere:
        await ctx.require_evidence(event.evidence)
    if event.method in E_ID_METHODS and event.outcome is CertificationOutcome.certified:
        await _check_identity(ctx, message, event)
    person = event.person.id_number
    bindings = tuple(
        EvidenceBinding(e.sha256, person) for e in event.evidence if e.kind in PERSONAL_EVIDENCE
    )
    if event.method in ASSISTED_METHODS:  # goes upward, and counts, once approved
        return Effects(item=ItemOpen(ItemKind.CERTIFICATION), evidence_bindings=bindings)
    certified = register_entry(event)
    recorded = Effects(evidence_bindings=bindings, certified=certified)
    held = await held_on_arrival(ctx, message, event, recorded)  # a confirmed death standing
    if isinstance(held, Effects):  # nothing upward: the death verified again (certified_dead)
        return held
    upward = uplink_delivery(ctx, message.sender, message.jti, message.payload)
    # a suspension for non-certification it ends: its restoration proposed, once; the
    # closure read checked in the write (a death confirmed meanwhile: planned again, held)
    effects = Effects(
        outbox=upward, evidence_bindings=bindings, certified=certified, closure_read=held
    )
    certification = f"{message.sender}:{message.jti}"
    return await certified_proposal(ctx, effects, event, certification, ctx.clock())


async def _check_identity(
    ctx: ProcedureContext, message: VerifiedMessage, event: CertificationEvent
) -> None:
    """Rule 4: the person, photo and ID document are checked against the e-ID licence."""
    if not ctx.identity_required:
        return
    if ctx.identity_check is None or ctx.read_evidence is None:
        raise Refusal(
            "identity-check-unavailable", "no e-ID service is configured for counter certification"
        )
    photos = [e for e in event.evidence if e.kind is EvidenceKind.onsite_photo]
    if not photos or photos[0].media_type != "image/jpeg":
        raise Refusal("identity-photo-invalid", "the e-ID check needs the on-site photo as JPEG")
    photo = await ctx.read_evidence(photos[0].sha256)
    request_id = re.sub(r"[^A-Za-z0-9_.:-]", "-", f"{message.sender}.{message.jti}")[:128]
    await ctx.identity_check(event, photo, request_id)


async def _plan_restoration(
    ctx: ProcedureContext, message: VerifiedMessage, restoration: Restoration | RestorationProposal
) -> Effects:
    if isinstance(restoration, RestorationProposal):  # staff's own, of a voided termination
        # first: a key outside the termination's area learns none of its facts
        await check_restoration_region(ctx, message, restoration)
        return Effects(item=await staff_proposal(ctx, signer_of(message).role, restoration))
    role = authenticated_actor(restoration.requested_by, signer_of(message))
    if role not in RESTORATION_REQUESTERS:
        raise Refusal("role-not-permitted", f"role {role.value!r} may not request a restoration")
    # at the request only: what is accepted stays where it was filed, whatever moves later
    await check_restoration_region(ctx, message, restoration)
    if restoration.account_change_evidence is not None:
        await ctx.require_evidence([restoration.account_change_evidence])
    if restoration.release_evidence is not None:
        await ctx.require_evidence([restoration.release_evidence])
    check = await recheck_restoration(ctx, restoration)
    person = restoration.person.id_number
    claim = MonthsClaim(person, "back_paid", check.back_paid)
    # The month payment resumes in: a later restoration of this suspension ends before it.
    resumes = MonthsClaim(person, "resumed", (restoration.restore_from.strftime("%Y-%m"),))
    item = ItemOpen(ItemKind.RESTORATION, municipal=check.municipal)
    return Effects(item=item, months=(claim, resumes))


async def recheck_restoration(ctx: ProcedureContext, restoration: Restoration) -> RestorationCheck:
    """Check a restoration against the facts as they are today: roster, terminations, months.

    Run at the request and again at every decision, so an approval never acts
    on a roster that changed in between, and the suspension's length is counted
    to the day of the decision. A benefit the hub terminated is restorable only
    while that termination is voided (every record it rested on withdrawn by its
    department), as the comparison's clearing step found it — and, when the roster
    says suspended, only while nothing else the hub knows explains that suspension
    (:func:`~certhub.hub.procedure.reversals.suspension_causes`). A restoration of the
    province's suspension is checked against what the hub found of the person beyond the
    roster: a verification still open, a suspension it decided that stands
    (:func:`~certhub.hub.procedure.reversals.hub_findings`). No month from one in
    which another restoration not rejected resumes payment is back-paid again
    (:func:`~certhub.hub.rules.restoration.check_resumed`), nor is payment resumed before
    a month one back-pays
    (:func:`~certhub.hub.rules.restoration_findings.check_not_back_paid_after`). The month
    of the hub's own imprisonment or disappearance the province's suspension dates from
    is back-paid only when no approved back pay or task claimed it paid
    (:func:`~certhub.hub.rules.restoration_findings.back_pay_start`). The account it names
    in full is checked with the bank last, at each of these steps
    (:func:`~certhub.hub.departments.accounts.check_account`): never back pay to a closed
    account or one not the pensioner's.
    """
    person = restoration.person.id_number
    snapshot = await ctx.store.get_roster(person)
    roster = BenefitRecord.model_validate_json(snapshot) if snapshot else None
    closed = await ctx.store.closed_benefit(person)
    terminated_by = f"{closed[0]}, task {closed[1]}" if closed else None
    found = await voided_termination(ctx, closed[1]) if closed else None
    voided, others = found if found else (None, None)
    check = check_restoration(
        restoration,
        roster,
        on=ctx.today(),
        terminated_by=terminated_by,
        voided=voided,
        others=others,
        resumed=await ctx.store.counted_months(person, "resumed"),
        resumed_after_roster=await ctx.store.resumed_after_roster(person),
        hub=await hub_findings(ctx, person) if closed is None else NOTHING_FOUND,
        paid=await ctx.store.back_paid_months(person) if closed is None else (),
    )
    if closed is not None:  # a voided termination's restoration: no imprisonment stands
        check_release(restoration, (), on=ctx.today())
    back_paid = await ctx.store.counted_months(person, "back_paid")  # not rejected
    check_not_back_paid_after(restoration.restore_from, back_paid)
    if ctx.account_check is not None:  # last: a restoration refused otherwise asks no bank
        await ctx.account_check(restoration, ctx.clock().isoformat())
    return check


async def _plan_roster(
    ctx: ProcedureContext, message: VerifiedMessage, record: BenefitRecord
) -> Effects:
    if signer_of(message).role is not Role.provincial_system:
        raise Refusal("role-not-permitted", "only the provincial system maintains the roster")
    write = RosterWrite(
        person_id=record.person.id_number,
        # in China time, as an import stamps its entries: the roster compares as_of as text,
        # and a UTC stamp sorts eight hours early (a newer entry was taken for older, not stored)
        as_of=record.as_of.astimezone(CHINA_STANDARD_TIME).isoformat(),
        snapshot=message.payload,
        **roster_columns(record),
    )
    audit = AuditWrite(
        "roster_updated", record.person.id_number[-4:], message.sender, message.digest
    )
    # read before the rest: refused at the write if a termination or suspension was confirmed
    # (or the closure lifted, or another entry stored) meanwhile — planned without it, the
    # months this entry shows paid after it were never added (person_guard)
    guard = await ctx.store.person_guard(record.person.id_number)
    # months paid after a termination the hub signed are added to its overpayment
    late = await late_payments(ctx, message, record)
    return replace(late, roster=write, audit=(audit, *late.audit), person_guard=guard)
