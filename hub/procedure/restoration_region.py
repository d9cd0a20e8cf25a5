"""Staff's restoration (or their own restoration proposal) is filed in the region of the
record it restores.

The hub never rewrites a signed message: the ledger keeps a ``restoration/v1`` with the
region its signer wrote, and the reads place it there (README, "Coordinators' enrolment
and area scopes"). Staff of the county a pensioner moved to, restoring a suspension
signed in the county that pulled it, filed the back pay where that county never reads
it: a county-A reader pulled the suspension and never its restoration. So a
restoration naming a region outside the record's it restores is refused
(``restoration-region-mismatch``), and a confined key whose area does not hold that
record's region is ``area-not-permitted``, as a restoration naming that region is. Staff's
own ``restoration_proposal/v1`` of a voided termination likewise: it is reviewed and
approved where it is filed, so filed elsewhere another county's staff would decide the
money of the county that applied the termination.
The hub's own restorations (a proposal approved) are signed with the reversed record's
person already (:mod:`~certhub.hub.procedure.certified_restoration`,
:mod:`~certhub.hub.procedure.restoration_proposals`).
"""

from __future__ import annotations

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.late_suspension import hub_suspensions
from certhub.hub.procedure.task_series import termination_in_force
from certhub.schemas import BenefitRecord, Refusal, RegionRef, Restoration, RestorationProposal
from certhub.security import VerifiedMessage, in_area

__all__ = ["check_restoration_region", "restored_region"]


async def check_restoration_region(
    ctx: ProcedureContext,
    message: VerifiedMessage,
    restoration: Restoration | RestorationProposal,
) -> None:
    """Refuse ``restoration`` unless it names the region of the record it restores (or a
    village of the county that record names) and the signing key's area (if any) holds
    that region; with no such record, the restoration
    checks that follow refuse it (``restoration-no-roster``, ``restoration-not-suspended``).
    """
    restored = await restored_region(ctx, restoration)
    if restored is None:
        return
    region, what = restored
    area = message.trusted.area
    # Checked before the mismatch: a key outside the record's area learns nothing of where
    # the record is, only that it is not its own.
    if area is not None and not in_area(area, region.county, region.village):
        raise Refusal(
            "area-not-permitted",
            f"this key speaks for area {area.code}, not for the {what} this restores",
        )
    place = region.village or region.county
    named = restoration.person.region.village or restoration.person.region.county
    # Inside the record's region (itself, or a village of the county it names): every
    # reader who pulled the record pulls the restoration too.
    if not named.startswith(place):
        raise Refusal(
            "restoration-region-mismatch",
            f"the {what} this restores is in {place}, not {named}: a restoration is filed "
            "in the region of the record it restores",
        )


async def restored_region(
    ctx: ProcedureContext, restoration: Restoration | RestorationProposal
) -> tuple[RegionRef, str] | None:
    """The person's region as the record ``restoration`` restores names it, and what that
    record is: the hub's termination in force (a voided termination), the hub's suspension
    it ends (confirmed imprisonment or disappearance, effective from its ``suspended_since``;
    with none, the first standing: approved, any restoration ends it), else the roster's
    suspension (the province's entry); None when there is none. A
    proposal restores only a voided termination: the first of these, or None (its own
    checks then refuse it)."""
    person = restoration.person.id_number
    closed = await ctx.store.closed_benefit(person)
    if closed is not None:
        signed = await termination_in_force(ctx, closed[1])
        return (signed[1].person.region, "termination") if signed else None
    if isinstance(restoration, RestorationProposal):
        return None
    standing = [s for _, _, s in await hub_suspensions(ctx, person) if s is not None]
    for suspension in standing:
        if suspension.effective_from == restoration.suspended_since:
            return suspension.person.region, "suspension"
    if standing:  # an approved restoration ends it whatever day it states (resumed_after):
        # a release stating the province's own day ends the hub's imprisonment all the same
        return standing[0].person.region, "suspension"
    snapshot = await ctx.store.get_roster(person)
    if snapshot is None:
        return None
    return BenefitRecord.model_validate_json(snapshot).person.region, "suspension"
