"""Who may stand behind a report or a certification: pure rules, roles from the trust store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from certhub.hub.rules.decisions import Signer
from certhub.hub.rules.parties import check_certifier, check_reporter
from certhub.mocks.population import Population
from certhub.schemas import ActorRef, CertificationEvent, Refusal, Role

KEYED = {"town-1": Role.town_staff, "det-1": Role.benefit_determiner, "coord-7": Role.coordinator}


def parties(sender: str) -> Signer | None:
    return Signer(sender, KEYED[sender]) if sender in KEYED else None


def actor(id_: str, role: str) -> ActorRef:
    return ActorRef.model_validate({"id": id_, "role": role})


def slug_of(check: Any, *args: Any) -> str | None:
    try:
        check(*args, parties)
    except Refusal as refusal:
        return refusal.slug
    return None


@pytest.mark.parametrize(
    ("reporter", "signer", "slug"),
    [
        (actor("coord-7", "coordinator"), Signer("coord-7", Role.coordinator), None),
        (actor("coord-8", "coordinator"), Signer("coord-7", Role.coordinator), "forged-role"),
        (actor("coord-7", "town_staff"), Signer("coord-7", Role.coordinator), "forged-role"),
        (actor("coord-x", "coordinator"), Signer("city", Role.reporting_system), None),
        (actor("yunfu:12", "town_staff"), Signer("yunfu", Role.department), None),
        (actor("legacy-1", "coordinator"), Signer("old-system", None), None),
        (actor("coord-7", "coordinator"), Signer("city", Role.reporting_system), "forged-role"),
        (actor("x", "county_reviewer"), Signer("city", Role.reporting_system), "forged-role"),
        (actor("x", "provincial_system"), Signer("old-system", None), "forged-role"),
    ],
)
def test_the_reporter_is_vouched_for_by_the_signing_key(
    reporter: ActorRef, signer: Signer, slug: str | None
) -> None:
    assert slug_of(check_reporter, reporter, signer) == slug


def event(method: str, operator: dict[str, str] | None) -> CertificationEvent:
    evidence = [
        {"sha256": "a" * 64, "kind": "id_image", "media_type": "image/png"},
        {"sha256": "b" * 64, "kind": "onsite_photo", "media_type": "image/png"},
    ]
    return CertificationEvent.model_validate(
        {
            "person": Population(seed=3).person(),
            "method": method,
            "channel": {"kind": "counter", "code": "YF-01"},
            "outcome": "certified",
            "occurred_at": datetime.now(UTC).isoformat(),
            "operator": operator,
            "evidence": evidence,
        }
    )


CHANNEL = Signer("channel", Role.channel)


@pytest.mark.parametrize(
    ("method", "operator", "signer", "slug"),
    [
        ("counter", {"id": "town-1", "role": "town_staff"}, CHANNEL, None),
        ("face", None, Signer("det-1", Role.benefit_determiner), "determiner-may-not-certify"),
        (
            "counter",
            {"id": "det-1", "role": "benefit_determiner"},
            CHANNEL,
            "determiner-may-not-certify",
        ),
        ("counter", {"id": "det-1", "role": "town_staff"}, CHANNEL, "determiner-may-not-certify"),
        ("counter", {"id": "nobody", "role": "town_staff"}, CHANNEL, "forged-role"),
        ("counter", {"id": "town-1", "role": "county_reviewer"}, CHANNEL, "forged-role"),
        ("counter", {"id": "coord-7", "role": "coordinator"}, CHANNEL, "role-not-permitted"),
        ("home_visit", {"id": "coord-7", "role": "coordinator"}, CHANNEL, None),
        ("face", None, CHANNEL, None),
    ],
)
def test_only_trusted_non_determiners_operate_a_certification(
    method: str, operator: dict[str, str] | None, signer: Signer, slug: str | None
) -> None:
    assert slug_of(check_certifier, event(method, operator), signer) == slug
