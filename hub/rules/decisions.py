"""Two-level approval (受理 → 审核) and separation of duties (DESIGN.md §7, rules 1 and 7).

An item — an eligibility report, an assisted certification or a restoration —
is accepted by town or county staff, then approved or rejected by the county
agency; a restoration after more than a year of suspension is approved by a
municipal approver only. The same actor never both accepts and approves, nor
reviews a restoration (or restoration proposal) they filed themselves; a
benefit determiner never accepts or approves certifications.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from certhub.schemas import ActorRef, Decision, DecisionAction, Refusal, Role


class ItemKind(StrEnum):
    """What kind of record an item under review is."""

    REPORT = "report"
    CERTIFICATION = "certification"
    RESTORATION = "restoration"
    WRITE_OFF = "write_off"  # what remains of an overpayment, written off
    SUSPENSION = "suspension"  # an overdue pensioner proposed for suspension (the register's)
    RESTORATION_PROPOSAL = "restoration_proposal"  # a voided termination proposed by the hub
    TERMINATION_AMENDMENT = "termination_amendment"  # a confirmed death dated earlier


class ItemStatus(StrEnum):
    """Where an item is in the two-level procedure."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    APPROVED = "approved"
    REJECTED = "rejected"


ACCEPTING_ROLES: Final = frozenset({Role.town_staff, Role.county_reviewer})
COUNTY_ROLES: Final = frozenset({Role.county_reviewer})
MUNICIPAL_ROLES: Final = frozenset({Role.municipal_approver})
FINAL: Final = frozenset({ItemStatus.APPROVED, ItemStatus.REJECTED})
BACK_PAYING: Final = frozenset({ItemKind.RESTORATION, ItemKind.RESTORATION_PROPOSAL})
"""Items whose approval pays back pay: the staff who filed one never reviews it."""
UNDER_REVIEW: Final = frozenset({ItemStatus.RECEIVED, ItemStatus.ACCEPTED})
"""An item not yet decided (received, or accepted by the town): still under review."""


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signed a message, as the trust store knows them."""

    sender: str
    role: Role | None


@dataclass(frozen=True, slots=True)
class ItemState:
    """The decision state of one item; ``version`` guards concurrent decisions."""

    item_id: int
    kind: ItemKind
    status: ItemStatus
    version: int
    accepted_by: str | None = None
    decided_by: str | None = None
    municipal: bool = False  # restoration suspended for more than a year
    filed_by: str | None = None  # the sender of a BACK_PAYING item (staff, or the hub)


def authenticated_actor(actor: ActorRef, signer: Signer) -> Role:
    """The actor's role, proven by the signing key — never by the payload alone."""
    if actor.id != signer.sender or signer.role is None or actor.role != signer.role:
        trusted = signer.role.value if signer.role else "none"
        raise Refusal(
            "forged-role",
            f"the message names actor {actor.id!r} as {actor.role.value!r}, but it is signed by "
            f"{signer.sender!r} whose trusted role is {trusted}",
        )
    return signer.role


def decide(item: ItemState, decision: Decision, signer: Signer) -> ItemState:
    """The item's state after ``decision``, or a :class:`Refusal` naming the broken rule."""
    role = authenticated_actor(decision.actor, signer)
    if item.kind is ItemKind.CERTIFICATION and role is Role.benefit_determiner:
        raise Refusal(
            "determiner-may-not-certify",
            "staff who determine benefits may not accept or approve certifications",
        )
    if item.status in FINAL:
        raise Refusal("decision-out-of-order", f"item {item.item_id} is already {item.status}")
    if decision.action is DecisionAction.accept:
        return _accept(item, role, decision.actor.id)
    if item.status is ItemStatus.RECEIVED and decision.action is DecisionAction.reject:
        _require(role in ACCEPTING_ROLES, "role-not-permitted", role, "refuse intake of")
        return replace(item, status=ItemStatus.REJECTED, decided_by=decision.actor.id)
    if item.status is not ItemStatus.ACCEPTED:
        raise Refusal("decision-out-of-order", f"item {item.item_id} must be accepted first")
    _check_reviewer(item, role, decision.actor.id)
    status = (
        ItemStatus.APPROVED if decision.action is DecisionAction.approve else ItemStatus.REJECTED
    )
    return replace(item, status=status, decided_by=decision.actor.id)


def _accept(item: ItemState, role: Role, actor_id: str) -> ItemState:
    if item.status is not ItemStatus.RECEIVED:
        raise Refusal("decision-out-of-order", f"item {item.item_id} is already {item.status}")
    _require(role in ACCEPTING_ROLES, "role-not-permitted", role, "accept")
    return replace(item, status=ItemStatus.ACCEPTED, accepted_by=actor_id)


def _check_reviewer(item: ItemState, role: Role, actor_id: str) -> None:
    if actor_id == item.accepted_by:
        raise Refusal(
            "same-actor", f"{actor_id!r} accepted item {item.item_id} and may not also review it"
        )
    if actor_id == item.filed_by:  # rule 7: back pay is never approved by who asked for it
        raise Refusal(
            "same-actor", f"{actor_id!r} filed item {item.item_id} and may not also review it"
        )
    if item.municipal:
        if role not in MUNICIPAL_ROLES:
            raise Refusal(
                "municipal-approval-required",
                "a restoration after more than a year of suspension is decided at municipal level",
            )
    elif role not in COUNTY_ROLES:
        raise Refusal("county-approval-required", f"{role.value} may not approve; the county does")


def _require(condition: bool, slug: str, role: Role, what: str) -> None:
    if not condition:
        raise Refusal(slug, f"role {role.value!r} may not {what} this item")
