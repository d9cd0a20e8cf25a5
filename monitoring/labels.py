"""Bounded metric label values derived from a validated payload.

Only enum members and prefecture-level city codes ever become label values;
anything else collapses to ``other`` / ``unknown``, so a label can never carry
an ID number, a name or a free-text value, whatever the payload holds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any

from pydantic import BaseModel

from certhub.schemas import (
    CertificationMethod,
    CertificationOutcome,
    ChannelKind,
    ReportReason,
    Role,
    UnknownRegion,
    city_code_of,
)

OTHER = "other"
UNKNOWN_CITY = "unknown"

PERSONAL_ROLES = frozenset(
    {
        Role.coordinator,
        Role.town_staff,
        Role.county_reviewer,
        Role.municipal_approver,
        Role.benefit_determiner,
        Role.ops,
    }
)
"""Roles held by people: thousands of keys (one per coordinator's phone), one label each role."""


Payload = bytes | BaseModel
"""Signed payload bytes, or the validated model (cheaper: no second JSON parse)."""


def report_labels(payload: Payload) -> tuple[str, str]:
    """``(reason, city)`` of an eligibility or zero report; city is the 6-digit city code."""
    document = _document(payload)
    region = _mapping(document.get("region")) or _mapping(
        _mapping(document.get("person")).get("region")
    )
    return _member(ReportReason, document.get("reason")), city_label(region.get("county"))


def certification_labels(payload: Payload) -> tuple[str, str, str]:
    """``(method, channel kind, outcome)`` of a certification event."""
    document = _document(payload)
    channel = _mapping(document.get("channel")).get("kind")
    return (
        _member(CertificationMethod, document.get("method")),
        _member(ChannelKind, channel),
        _member(CertificationOutcome, document.get("outcome")),
    )


def sender_label(sender: str, role: str | None) -> str:
    """The ``sender`` label of a message: the sender id for a system, ``role:<role>`` for a person.

    Systems (city platforms, the province, channels, banks, adapters) are a
    configured set of tens; a person's key (a coordinator's phone, a reviewer)
    would make a series each, so people are counted by their role.
    """
    return f"role:{role}" if role in PERSONAL_ROLES else sender


def city_label(county: object) -> str:
    """The prefecture-level city code of a county code, or ``unknown``."""
    if not isinstance(county, str):
        return UNKNOWN_CITY
    return _city_of(county)


@lru_cache(maxsize=4096)  # a few hundred real counties; the bound keeps junk input harmless
def _city_of(county: str) -> str:
    try:
        return city_code_of(county)
    except UnknownRegion:
        return UNKNOWN_CITY


def _member(enum: type[StrEnum], value: object) -> str:
    if isinstance(value, str) and value in _values(enum):
        return str(value)  # an enum member becomes its plain value
    return OTHER


@cache
def _values(enum: type[StrEnum]) -> frozenset[str]:
    return frozenset(member.value for member in enum)


def _document(payload: Payload) -> Mapping[str, Any]:
    if isinstance(payload, BaseModel):
        return _mapping(payload)
    try:
        document = json.loads(payload)
    except ValueError:
        return {}
    return _mapping(document)


def _mapping(value: object) -> Mapping[str, Any]:
    if isinstance(value, BaseModel):
        return value.__dict__  # the model's fields, without a dump
    return value if isinstance(value, Mapping) else {}
