"""Two-level approval and separation of duties, rule by rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from certhub.hub.rules.decisions import ItemKind, ItemState, ItemStatus, Signer, decide
from certhub.schemas import ActorRef, Decision, DecisionAction, Refusal, Role


def decision(action: str, actor: str, role: Role) -> Decision:
    reasons = ("证据不足",) if action == "reject" else ()
    return Decision(
        subject_id="1",
        action=DecisionAction(action),
        actor=ActorRef(id=actor, role=role),
        reasons=reasons,
        decided_at=datetime.now(UTC),
    )


def run(item: ItemState, action: str, actor: str, role: Role) -> ItemState:
    return decide(item, decision(action, actor, role), Signer(actor, role))


def item(kind: ItemKind = ItemKind.REPORT, **changes: object) -> ItemState:
    state = ItemState(item_id=1, kind=kind, status=ItemStatus.RECEIVED, version=0)
    return ItemState(**{**{f: getattr(state, f) for f in state.__slots__}, **changes})  # type: ignore[arg-type]


def refused(slug: str, item_: ItemState, action: str, actor: str, role: Role) -> None:
    with pytest.raises(Refusal) as caught:
        run(item_, action, actor, role)
    assert caught.value.slug == slug


def test_town_accepts_then_county_approves() -> None:
    accepted = run(item(), "accept", "town-1", Role.town_staff)
    assert (accepted.status, accepted.accepted_by) == (ItemStatus.ACCEPTED, "town-1")
    approved = run(accepted, "approve", "county-1", Role.county_reviewer)
    assert (approved.status, approved.decided_by) == (ItemStatus.APPROVED, "county-1")


def test_the_same_actor_may_not_accept_and_approve() -> None:
    accepted = run(item(), "accept", "county-1", Role.county_reviewer)
    refused("same-actor", accepted, "approve", "county-1", Role.county_reviewer)
    refused("same-actor", accepted, "reject", "county-1", Role.county_reviewer)


def test_approve_before_accept_is_out_of_order() -> None:
    refused("decision-out-of-order", item(), "approve", "county-1", Role.county_reviewer)


@pytest.mark.parametrize("final", [ItemStatus.APPROVED, ItemStatus.REJECTED])
@pytest.mark.parametrize("action", ["accept", "approve", "reject"])
def test_deciding_twice_is_out_of_order(final: ItemStatus, action: str) -> None:
    refused(
        "decision-out-of-order",
        item(status=final, accepted_by="t"),
        action,
        "c",
        Role.county_reviewer,
    )


def test_accepting_twice_is_out_of_order() -> None:
    refused(
        "decision-out-of-order", item(status=ItemStatus.ACCEPTED), "accept", "t2", Role.town_staff
    )


@pytest.mark.parametrize("role", [Role.town_staff, Role.municipal_approver, Role.coordinator])
def test_only_the_county_approves(role: Role) -> None:
    accepted = item(status=ItemStatus.ACCEPTED, accepted_by="town-1")
    refused("county-approval-required", accepted, "approve", "someone", role)


@pytest.mark.parametrize("role", [Role.coordinator, Role.provincial_system, Role.ops])
def test_intake_is_for_town_or_county_staff(role: Role) -> None:
    refused("role-not-permitted", item(), "accept", "x", role)
    refused("role-not-permitted", item(), "reject", "x", role)


@pytest.mark.parametrize("action", ["accept", "approve"])
def test_benefit_determiners_may_not_certify(action: str) -> None:
    status = ItemStatus.RECEIVED if action == "accept" else ItemStatus.ACCEPTED
    cert = item(ItemKind.CERTIFICATION, status=status, accepted_by="t")
    refused("determiner-may-not-certify", cert, action, "det-1", Role.benefit_determiner)


def test_restoration_after_a_year_is_approved_at_municipal_level_only() -> None:
    long = item(
        ItemKind.RESTORATION, status=ItemStatus.ACCEPTED, accepted_by="town-1", municipal=True
    )
    refused("municipal-approval-required", long, "approve", "county-1", Role.county_reviewer)
    assert run(long, "approve", "muni-1", Role.municipal_approver).status is ItemStatus.APPROVED
    short = item(ItemKind.RESTORATION, status=ItemStatus.ACCEPTED, accepted_by="town-1")
    refused("county-approval-required", short, "approve", "muni-1", Role.municipal_approver)


def test_intake_may_refuse_an_item() -> None:
    assert run(item(), "reject", "town-1", Role.town_staff).status is ItemStatus.REJECTED


@pytest.mark.parametrize(
    ("actor", "claimed", "signer_role"),
    [
        ("county-1", Role.county_reviewer, Role.town_staff),  # role claimed above the key's
        ("county-1", Role.county_reviewer, None),  # key has no role at all
    ],
)
def test_a_role_not_backed_by_the_signing_key_is_forged(
    actor: str, claimed: Role, signer_role: Role | None
) -> None:
    with pytest.raises(Refusal) as caught:
        decide(item(), decision("accept", actor, claimed), Signer(actor, signer_role))
    assert caught.value.slug == "forged-role"


def test_an_actor_id_not_matching_the_signer_is_forged() -> None:
    with pytest.raises(Refusal) as caught:
        decide(
            item(), decision("accept", "town-1", Role.town_staff), Signer("town-2", Role.town_staff)
        )
    assert caught.value.slug == "forged-role"
