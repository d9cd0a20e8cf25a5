"""Planners of service evaluation: a rating from an SMS link or a channel app, a follow-up step.

A rating from a channel's app is that channel's signed ``service_rating/v1``.
A rating from an SMS link has no signer of its own: the link is the
deployment's signed reference to one service event, and the hub records what
was submitted through it as a ``service_rating/v1`` it signs itself (message
id ``rating:<record>``, so a second rating through the link is refused as
the same id with other content).
"""

from __future__ import annotations

from datetime import datetime

from certhub.hub.procedure.context import ProcedureContext, signer_of
from certhub.hub.rules.decisions import authenticated_actor
from certhub.hub.rules.ratings import (
    check_channel_rates_its_own,
    check_follow_up_after_rating,
    check_follow_up_role,
    check_rated_after_service,
    follow_up_due,
    needs_follow_up,
    rated_service,
)
from certhub.hub.store import ReplayConflict
from certhub.hub.store.effects import AuditWrite, Effects, FollowUpWrite, RatingWrite, no_receipt
from certhub.hub.store.ratings import rated_already
from certhub.schemas import (
    CertificationEvent,
    PersonRef,
    RatingFollowUp,
    Refusal,
    ServiceRating,
    parse_message,
)
from certhub.security import VerifiedMessage


async def plan_channel_rating(
    ctx: ProcedureContext, message: VerifiedMessage, rating: ServiceRating
) -> Effects:
    """A channel app's rating of a service that came through that channel."""
    record = await ctx.store.get_record(rating.service_record)
    if record is None:
        raise Refusal("rating-not-ratable", f"no service record {rating.service_record}")
    check_channel_rates_its_own(record.sender, message.sender)
    effects, _person = await _rating_effects(ctx, rating, "channel_app")
    return effects


async def record_link_rating(ctx: ProcedureContext, rating: ServiceRating, now: datetime) -> int:
    """Record a rating given through an SMS link; its ledger sequence (the rating's id).

    Raises:
        Refusal: ``rating-not-ratable``, or ``rating-exists`` for a second rating.
    """
    effects, person = await _rating_effects(ctx, rating, "sms_link")
    record = ctx.outcomes.record(
        rating,
        message_id=f"rating:{rating.service_record}",
        person=person,
        reason=effects.rating.service_kind if effects.rating else None,
        at=now,
    )
    audit = AuditWrite("service_rated", str(rating.service_record), "sms_link", record.sha256)
    effects = Effects(rating=effects.rating, audit=(audit,))
    try:
        made = await ctx.store.append(record.as_message(now), no_receipt, effects)
    except ReplayConflict as exc:  # the same link, rated again with other content
        raise rated_already() from exc
    if not made.created:
        raise rated_already()
    return made.record.sequence


async def plan_follow_up(
    ctx: ProcedureContext, rating_id: int, message: VerifiedMessage, step: RatingFollowUp
) -> Effects:
    """Record a call-back, visit or fix of a bad rating by town staff or the county."""
    if step.rating_id != rating_id:
        raise Refusal("subject-mismatch", f"the message names rating {step.rating_id}")
    check_follow_up_role(authenticated_actor(step.actor, signer_of(message)))
    row = await ctx.store.get_rating(rating_id)
    if row is None:
        raise Refusal("rating-not-found", f"no rating {rating_id}")
    check_follow_up_after_rating(row.rated_at, step.at)
    return Effects(
        follow_up=FollowUpWrite(rating_id, step.action, step.at.timestamp(), step.outcome),
        audit=(
            AuditWrite(f"rating_{step.action}", str(rating_id), message.sender, message.digest),
        ),
    )


async def _rating_effects(
    ctx: ProcedureContext, rating: ServiceRating, via: str
) -> tuple[Effects, PersonRef]:
    """The rating's effects, and the person whose service it rates."""
    record = await ctx.store.get_record(rating.service_record)
    if record is None:
        raise Refusal("rating-not-ratable", f"no service record {rating.service_record}")
    payload = parse_message(record.message_type, record.payload)
    kind, area, person = rated_service(payload)
    served = payload.occurred_at if isinstance(payload, CertificationEvent) else record.received_at
    check_rated_after_service(rating.rated_at, served)
    due = follow_up_due(rating.rated_at) if needs_follow_up(rating.score) else None
    effects = Effects(
        rating=RatingWrite(
            service_record=rating.service_record,
            service_kind=kind,
            score=rating.score,
            rater=rating.rater,
            via=via,
            area=area,
            rated_at=rating.rated_at.timestamp(),
            follow_up_due=None if due is None else due.timestamp(),
        )
    )
    return effects, person
