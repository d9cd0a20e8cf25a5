"""Certification events: one person certified (or not) through one channel.

Batch certification is abolished (province rule 3): there is deliberately no
model carrying more than one person.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Final, Literal, Self

from pydantic import AfterValidator, AwareDatetime, ValidationInfo, model_validator

from .clock import CHINA_STANDARD_TIME
from .common import (
    SCHEME_START,
    ActorRef,
    Channel,
    EvidenceRef,
    FreeText,
    Message,
    PersonRef,
    not_ahead_of_clock,
    not_before_birth,
)
from .enums import CertificationMethod, CertificationOutcome, EvidenceKind

__all__ = ["ASSISTED_METHODS", "CertificationEvent"]

ASSISTED_METHODS: Final = frozenset(
    {CertificationMethod.counter, CertificationMethod.home_visit, CertificationMethod.social_org}
)
"""Methods performed by staff: they need an operator and stored ID image + on-site photo."""


def _occurred_when_possible(value: datetime, info: ValidationInfo) -> datetime:
    """Refuse a time the certification cannot have happened at.

    A field validator (not a model one) so the error points at ``occurred_at``;
    ``person`` is declared first, so it is already validated here (absent if invalid).
    """
    not_ahead_of_clock(value, "occurred_at", info)
    # an epoch-seconds value read as milliseconds lands in January 1970: refuse, never store
    day = value.astimezone(CHINA_STANDARD_TIME).date()
    if day < SCHEME_START:
        raise ValueError(f"occurred_at is before {SCHEME_START}, when the scheme began")
    not_before_birth(day, "occurred_at", info)
    return value


def _one_cycle_after(start: date) -> date:
    """Return the last allowed validity date: 12 months after ``start``, plus one day."""
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        anniversary = date(start.year + 1, 2, 28)
    return anniversary + timedelta(days=1)


class CertificationEvent(Message):
    """One person's certification through one channel, with its evidence digests."""

    type: Literal["certification_event/v1"] = "certification_event/v1"
    person: PersonRef
    method: CertificationMethod
    channel: Channel
    outcome: CertificationOutcome
    occurred_at: Annotated[AwareDatetime, AfterValidator(_occurred_when_possible)]
    evidence: tuple[EvidenceRef, ...] = ()
    operator: ActorRef | None = None
    valid_until: date | None = None
    remarks: FreeText | None = None

    @model_validator(mode="after")
    def _assisted_needs_operator_and_evidence(self) -> Self:
        if self.method not in ASSISTED_METHODS:
            return self
        if self.operator is None:
            raise ValueError(f"method {self.method.value!r} requires an operator")
        kinds = {item.kind for item in self.evidence}
        if not {EvidenceKind.id_image, EvidenceKind.onsite_photo} <= kinds:
            raise ValueError(
                f"method {self.method.value!r} requires id_image and onsite_photo evidence"
            )
        return self

    @model_validator(mode="after")
    def _validity_within_one_cycle(self) -> Self:
        if self.valid_until is None:
            return self
        if self.outcome is CertificationOutcome.failed:
            raise ValueError("a failed certification has no valid_until")
        start = self.occurred_at.astimezone(CHINA_STANDARD_TIME).date()
        if not start < self.valid_until <= _one_cycle_after(start):
            raise ValueError("valid_until must be after occurred_at and within 12 months + 1 day")
        return self
