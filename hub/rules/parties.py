"""Who may stand behind a message: the reporter of a report, the operator of a certification.

Roles come from the trust store, never from the payload alone (rule 1 and
rule 5, "whoever collects, registers"):

* a person signing with their own key (a coordinator on a phone, town or
  county staff) registers as themselves: ``reporter`` is the signer, in the
  signer's trusted role;
* the hub's own comparison (``adapter:comparison``) is a machine reporter: it
  reports in its own name, citing the departments' records it matched
  (:mod:`certhub.hub.rules.comparison` holds that rule and its grade rule);
* a system relaying what its coordinators collected (a city platform, a
  department feed) names a collector — a coordinator or town staff — who is
  not another party with a key of their own (that party signs for itself);
* a benefit determiner never certifies: not as the sender of a certification,
  not as its operator;
* an assisted certification's operator is a party of the trust store, in its
  trusted role, and that role may operate the method.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from certhub.hub.rules.comparison import MACHINE_REPORTER, check_machine_reporter
from certhub.hub.rules.decisions import Signer
from certhub.schemas import ActorRef, CertificationEvent, CertificationMethod, Refusal, Role
from certhub.schemas.certification import ASSISTED_METHODS

PartyLookup = Callable[[str], Signer | None]
"""The trust-store party with this sender id (its role), or None when it has no key."""

PERSONAL_ROLES: Final = frozenset(
    {
        Role.coordinator,
        Role.town_staff,
        Role.county_reviewer,
        Role.municipal_approver,
        Role.benefit_determiner,
    }
)
"""Roles held by one person signing for themselves."""

COLLECTOR_ROLES: Final = frozenset({Role.coordinator, Role.town_staff})
"""Who collects and registers reports that a system relays."""

OPERATOR_ROLES: Final = {
    CertificationMethod.counter: frozenset({Role.town_staff, Role.county_reviewer}),
    CertificationMethod.home_visit: frozenset(
        {Role.coordinator, Role.town_staff, Role.county_reviewer}
    ),
    CertificationMethod.social_org: frozenset(
        {Role.coordinator, Role.town_staff, Role.county_reviewer}
    ),
}
"""Who may operate each assisted method (never a benefit determiner)."""


def check_reporter(reporter: ActorRef, signer: Signer, parties: PartyLookup) -> None:
    """Refuse (``forged-role``) a report whose ``reporter`` the signing key does not vouch for."""
    if signer.role in PERSONAL_ROLES:
        if reporter.id != signer.sender or reporter.role != signer.role:
            raise Refusal(
                "forged-role",
                f"the report names reporter {reporter.id!r} as {reporter.role.value!r}, but it "
                f"is signed by {signer.sender!r} as {signer.role.value}",
            )
        return
    if MACHINE_REPORTER in (signer.sender, reporter.id):
        check_machine_reporter(reporter, signer)
        return
    if reporter.role not in COLLECTOR_ROLES:
        raise Refusal(
            "forged-role",
            f"a relayed report is registered by a coordinator or town staff, "
            f"not {reporter.role.value!r}",
        )
    if reporter.id != signer.sender and parties(reporter.id) is not None:
        raise Refusal(
            "forged-role",
            f"reporter {reporter.id!r} has a key of their own and signs their reports",
        )


def check_certifier(event: CertificationEvent, signer: Signer, parties: PartyLookup) -> None:
    """Refuse a certification sent or operated by someone who may not certify."""
    if signer.role is Role.benefit_determiner:
        raise Refusal(
            "determiner-may-not-certify", "a benefit determiner's key may not send certifications"
        )
    if event.method not in ASSISTED_METHODS or event.operator is None:
        return
    operator = event.operator
    party = parties(operator.id)
    if Role.benefit_determiner in (operator.role, party.role if party else None):
        raise Refusal(
            "determiner-may-not-certify",
            f"operator {operator.id!r} determines benefits and may not certify",
        )
    if party is None or party.role != operator.role:
        trusted = "no key" if party is None else f"trusted role {party.role}"
        raise Refusal(
            "forged-role",
            f"operator {operator.id!r} as {operator.role.value!r} is not a trusted party in "
            f"that role ({trusted})",
        )
    if operator.role not in OPERATOR_ROLES[event.method]:
        raise Refusal(
            "role-not-permitted",
            f"role {operator.role.value!r} may not operate {event.method.value} certification",
        )
